/** A short two-note chime made with WebAudio, so that there is no sound file to ship or to fetch. */

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  return context;
}

/** From a click: browsers let a page start audio only after a gesture of the user on it. */
export function unlockChime(): void {
  void audio()
    ?.resume()
    .catch(() => undefined);
}

export function playChime(): void {
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime;
  [880, 1320].forEach((frequency, i) => {
    const at = start + i * 0.12;
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    tone.type = 'sine';
    tone.frequency.value = frequency;
    // A soft attack and decay: no click at either end.
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.12, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    tone.connect(gain).connect(ctx.destination);
    tone.start(at);
    tone.stop(at + 0.26);
  });
}
