/**
 * Migration 19: the function that stores a batch of appends in one statement (appendBatch.ts sends the batch).
 * Kept apart from migrationList.ts for its size; like every migration, never edited once shipped.
 *
 * `items` is a JSON array of appends in arrival order, each
 * `{ appId, roomId, kind, authorId, text, html, clientMsgId, createdAt, replyTo, mentions, visibility, slowMode }`
 * (absent keys are null). For each, in order, as the one-message append did: the clientMsgId lookup, the room
 * (with the caller's app), slow mode, the reply's parent, the next seq, the insert and the mentions. The answer is
 * a JSON array of the same length: `{ id, duplicate }` for a stored (or already stored) message, or `{ error }`
 * (`room`, `reply`, or `slow` with `retryAfterMs` and `slowModeSeconds`) for an append refused on its own: such
 * a check runs before anything of that append is written, so it takes no seq and the others go on.
 *
 * Every room of the batch is locked first, lowest id first, and stays locked until the caller's transaction ends:
 * writers of a room (one-message appends and batches, on any node) take turns on that row as before, and two
 * batches sharing rooms lock them in the same order, so they cannot deadlock. Each statement of a VOLATILE
 * function reads with a fresh snapshot (READ COMMITTED), so the lookups after the lock see every earlier writer of
 * the room committed; an append that the same batch stored earlier is seen as well (one transaction).
 * Seqs are counted in `seqs` and written once per room at the end.
 */
export const APPEND_BATCH_FUNCTION = `
  CREATE FUNCTION parley_append_batch(items jsonb, excerpt_max integer) RETURNS jsonb
  LANGUAGE plpgsql VOLATILE AS $fn$
  DECLARE
    item jsonb;
    results jsonb := '[]'::jsonb;
    seqs jsonb := '{}'::jsonb;
    v_app bigint;
    v_room bigint;
    v_author bigint;
    v_client text;
    v_created bigint;
    v_reply bigint;
    v_seq bigint;
    v_slow integer;
    v_last_at bigint;
    v_parent text;
    v_excerpt text;
    v_id bigint;
  BEGIN
    PERFORM 1 FROM rooms
      WHERE id IN (SELECT DISTINCT (e->>'roomId')::bigint FROM jsonb_array_elements(items) AS e)
      ORDER BY id FOR UPDATE;
    FOR item IN SELECT t.value FROM jsonb_array_elements(items) WITH ORDINALITY AS t(value, n) ORDER BY t.n LOOP
      v_app := (item->>'appId')::bigint;
      v_room := (item->>'roomId')::bigint;
      v_author := (item->>'authorId')::bigint;
      v_client := item->>'clientMsgId';
      v_created := (item->>'createdAt')::bigint;
      IF v_author IS NOT NULL AND v_client IS NOT NULL THEN
        SELECT id INTO v_id FROM messages
          WHERE room_id = v_room AND author_id = v_author AND client_msg_id = v_client;
        IF FOUND THEN
          results := results || jsonb_build_array(jsonb_build_object('id', v_id, 'duplicate', true));
          CONTINUE;
        END IF;
      END IF;
      SELECT last_seq, slow_mode_seconds INTO v_seq, v_slow FROM rooms WHERE id = v_room AND app_id = v_app;
      IF NOT FOUND THEN
        results := results || jsonb_build_array(jsonb_build_object('error', 'room'));
        CONTINUE;
      END IF;
      v_seq := COALESCE((seqs->>v_room::text)::bigint, v_seq);
      IF (item->>'slowMode')::boolean IS TRUE AND v_author IS NOT NULL AND v_slow > 0 THEN
        SELECT MAX(created_at) INTO v_last_at FROM messages WHERE room_id = v_room AND author_id = v_author;
        IF v_last_at IS NOT NULL AND v_last_at + v_slow * 1000 > v_created THEN
          results := results || jsonb_build_array(jsonb_build_object(
            'error', 'slow', 'retryAfterMs', v_last_at + v_slow * 1000 - v_created, 'slowModeSeconds', v_slow));
          CONTINUE;
        END IF;
      END IF;
      v_reply := (item->>'replyTo')::bigint;
      v_excerpt := NULL;
      IF v_reply IS NOT NULL THEN
        UPDATE messages SET reply_count = reply_count + 1
          WHERE room_id = v_room AND id = v_reply AND deleted_at IS NULL
          RETURNING text INTO v_parent;
        IF NOT FOUND THEN
          results := results || jsonb_build_array(jsonb_build_object('error', 'reply'));
          CONTINUE;
        END IF;
        v_excerpt := left(v_parent, excerpt_max);
      END IF;
      v_seq := v_seq + 1;
      seqs := seqs || jsonb_build_object(v_room::text, v_seq);
      INSERT INTO messages (app_id, room_id, seq, kind, author_id, author_name, text, html, client_msg_id,
                            created_at, reply_to_id, reply_excerpt, visibility)
        VALUES (v_app, v_room, v_seq, item->>'kind', v_author, (SELECT username FROM users WHERE id = v_author),
                item->>'text', item->>'html', v_client, v_created, v_reply, v_excerpt,
                COALESCE(item->>'visibility', 'visible'))
        RETURNING id INTO v_id;
      IF jsonb_typeof(item->'mentions') = 'array' THEN
        INSERT INTO message_mentions (message_id, user_id, room_id, seq, pos)
          SELECT v_id, u.id, v_room, v_seq, t.pos
          FROM jsonb_array_elements_text(item->'mentions') WITH ORDINALITY AS t(user_id, pos)
          JOIN users u ON u.id = t.user_id::bigint;
      END IF;
      results := results || jsonb_build_array(jsonb_build_object('id', v_id, 'duplicate', false));
    END LOOP;
    UPDATE rooms r SET last_seq = s.value::bigint FROM jsonb_each_text(seqs) AS s WHERE r.id = s.key::bigint;
    RETURN results;
  END
  $fn$;
`;
