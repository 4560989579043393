import type { AppId } from '../core/types.js';
import type { Admin } from './admin.js';
import type { AuditPage, AuditQuery, EngineAdmin } from './api.js';
import type { Audit } from './audit.js';
import type { BotCommands } from './botCommands.js';
import type { Bots } from './bots.js';
import type { Catalog } from './catalog.js';
import type { DataProtection } from './dataProtection.js';
import type { Revocation } from './revocation.js';
import type { SendPolicy } from './sendPolicy.js';
import type { Strikes } from './strikes.js';

/**
 * What the operator asks (EngineAdmin), each answered by the part that owns it. The engine extends this, so
 * that it stays the one object the HTTP API is given while engine.ts keeps to wiring the parts; the parts are
 * read when a method is called, after the engine's constructor has made them.
 */
export abstract class AdminFacade {
  protected abstract readonly admin: Admin;
  protected abstract readonly catalog: Catalog;
  protected abstract readonly revocation: Revocation;
  protected abstract readonly audit: Audit;
  protected abstract readonly strikes: Strikes;
  protected abstract readonly sendPolicy: SendPolicy;
  protected abstract readonly dataProtection: DataProtection;
  protected abstract readonly bots: Bots;
  protected abstract readonly botCommands: BotCommands;

  getApp: EngineAdmin['getApp'] = (...a) => this.admin.getApp(...a);
  register: EngineAdmin['register'] = (...a) => this.admin.register(...a);
  login: EngineAdmin['login'] = (...a) => this.admin.login(...a);
  online: EngineAdmin['online'] = (...a) => this.admin.online(...a);
  listApps: EngineAdmin['listApps'] = (...a) => this.admin.listApps(...a);
  createApp: EngineAdmin['createApp'] = (...a) => this.admin.createApp(...a);
  updateApp: EngineAdmin['updateApp'] = (...a) => this.admin.updateApp(...a);
  createUser: EngineAdmin['createUser'] = (...a) => this.admin.createUser(...a);
  setUserRole: EngineAdmin['setUserRole'] = (...a) => this.admin.setUserRole(...a);
  listUsers: EngineAdmin['listUsers'] = (...a) => this.admin.listUsers(...a);
  issueToken: EngineAdmin['issueToken'] = (...a) => this.admin.issueToken(...a);
  listRooms: EngineAdmin['listRooms'] = (...a) => this.admin.listRooms(...a);
  createRoom: EngineAdmin['createRoom'] = (...a) => this.admin.createRoom(...a);
  updateRoom: EngineAdmin['updateRoom'] = (...a) => this.admin.updateRoom(...a);
  deleteRoom: EngineAdmin['deleteRoom'] = (...a) => this.admin.deleteRoom(...a);
  addRoomMember: EngineAdmin['addRoomMember'] = (...a) => this.admin.addRoomMember(...a);
  history: EngineAdmin['history'] = (...a) => this.admin.history(...a);
  publish: EngineAdmin['publish'] = (...a) => this.admin.publish(...a);
  deleteMessage: EngineAdmin['deleteMessage'] = (...a) => this.admin.deleteMessage(...a);
  mute: EngineAdmin['mute'] = (...a) => this.admin.mute(...a);
  unmute: EngineAdmin['unmute'] = (...a) => this.admin.unmute(...a);
  ban: EngineAdmin['ban'] = (...a) => this.admin.ban(...a);
  unban: EngineAdmin['unban'] = (...a) => this.admin.unban(...a);
  kick: EngineAdmin['kick'] = (...a) => this.admin.kick(...a);
  listMutes: EngineAdmin['listMutes'] = (...a) => this.admin.listMutes(...a);
  listBans: EngineAdmin['listBans'] = (...a) => this.admin.listBans(...a);
  listModeration: EngineAdmin['listModeration'] = (...a) => this.admin.listModeration(...a);
  stats: EngineAdmin['stats'] = () => this.admin.stats();
  storageHealth: EngineAdmin['storageHealth'] = () => this.admin.storageHealth();
  replies: EngineAdmin['replies'] = (...a) => this.admin.replies(...a);
  listPins: EngineAdmin['listPins'] = (...a) => this.admin.listPins(...a);
  pin: EngineAdmin['pin'] = (...a) => this.admin.pin(...a);
  unpin: EngineAdmin['unpin'] = (...a) => this.admin.unpin(...a);
  react: EngineAdmin['react'] = (...a) => this.admin.react(...a);
  unreact: EngineAdmin['unreact'] = (...a) => this.admin.unreact(...a);
  unread: EngineAdmin['unread'] = (...a) => this.admin.unread(...a);
  searchMessages: EngineAdmin['searchMessages'] = (...a) => this.admin.searchMessages(...a);
  openDm: EngineAdmin['openDm'] = (...a) => this.admin.openDm(...a);
  setUserProfile: EngineAdmin['setUserProfile'] = (...a) => this.admin.setUserProfile(...a);
  listTokens: EngineAdmin['listTokens'] = (...a) => this.revocation.listTokens(...a);
  revokeToken: EngineAdmin['revokeToken'] = (...a) => this.revocation.revokeToken(...a);
  revokeUser: EngineAdmin['revokeUser'] = (...a) => this.revocation.revokeUser(...a);
  // An erasure's audit entry names the user by a hash only (dataProtection.ts).
  recordAudit: EngineAdmin['recordAudit'] = (input) =>
    this.audit.record(this.dataProtection.auditView(input));

  async listAudit(appId: AppId | null, query: AuditQuery): Promise<AuditPage> {
    if (appId !== null) await this.catalog.getApp(appId);
    return this.audit.list(appId, query);
  }
  listReports: EngineAdmin['listReports'] = (...a) => this.admin.listReports(...a);
  resolveReport: EngineAdmin['resolveReport'] = (...a) => this.admin.resolveReport(...a);
  shadowMute: EngineAdmin['shadowMute'] = (...a) => this.admin.shadowMute(...a);
  unshadowMute: EngineAdmin['unshadowMute'] = (...a) => this.admin.unshadowMute(...a);
  userStrikes: EngineAdmin['userStrikes'] = (...a) => this.strikes.list(...a);
  testFilter: EngineAdmin['testFilter'] = (...a) => this.sendPolicy.test(...a);
  exportUser: EngineAdmin['exportUser'] = (...a) => this.dataProtection.exportUser(...a);
  eraseUser: EngineAdmin['eraseUser'] = (...a) => this.dataProtection.eraseUser(...a);
  listErasures: EngineAdmin['listErasures'] = (...a) => this.dataProtection.listErasures(...a);
  setRoomRetention: EngineAdmin['setRoomRetention'] = (...a) => this.dataProtection.setRoomRetention(...a);
  createBot: EngineAdmin['createBot'] = (...a) => this.bots.create(...a);
  listBots: EngineAdmin['listBots'] = (...a) => this.bots.list(...a);
  updateBot: EngineAdmin['updateBot'] = (...a) => this.bots.update(...a);
  deleteBot: EngineAdmin['deleteBot'] = (...a) => this.bots.remove(...a);
  rotateBotKey: EngineAdmin['rotateBotKey'] = (...a) => this.bots.rotateKey(...a);
  botPost: EngineAdmin['botPost'] = (...a) => this.botCommands.postAsBot(...a);
}
