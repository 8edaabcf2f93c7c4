export {User} from './user'
export {UserInviteToken} from './user-invite-token'
export {PasswordResetToken} from './password-reset-token'
export {App, OAuthToken, OAuthAuthorization} from './oauth'
export {Activity, PleromaObject} from './activity'
export {FollowingRelationship, FollowState, UserRelationship, Notification} from './relationships'
export {MfaToken, PushSubscription, Bookmark, ThreadMute, Delivery, ReportNote, Chat, ChatMessageReference, HashtagObject} from './account-data'
export {AdminSetting} from './admin-setting'

export {SigningKey} from './signing-key'
export {ModerationLog} from './moderation-log'
export {ObanJob} from './oban-job'

import {User} from './user'
import {UserInviteToken} from './user-invite-token'
import {PasswordResetToken} from './password-reset-token'
import {App, OAuthToken, OAuthAuthorization} from './oauth'
import {Activity, PleromaObject} from './activity'
import {FollowingRelationship, UserRelationship, Notification} from './relationships'
import {MfaToken, PushSubscription, Bookmark, ThreadMute, Delivery, ReportNote, Chat, ChatMessageReference, HashtagObject} from './account-data'
import {AdminSetting} from './admin-setting'
import {SigningKey} from './signing-key'
import {ModerationLog} from './moderation-log'
import {ObanJob} from './oban-job'

export const ENTITIES = [
  User,
  UserInviteToken,
  PasswordResetToken,
  App,
  OAuthToken,
  OAuthAuthorization,
  Activity,
  PleromaObject,
  FollowingRelationship,
  UserRelationship,
  Notification,
  MfaToken,
  PushSubscription,
  Bookmark,
  ThreadMute,
  Delivery,
  ReportNote,
  Chat,
  ChatMessageReference,
  HashtagObject,
  AdminSetting,
  SigningKey,
  ModerationLog,
  ObanJob,
]
