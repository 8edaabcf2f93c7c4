export {User} from './user'
export {UserInviteToken} from './user-invite-token'
export {PasswordResetToken} from './password-reset-token'
export {App, OAuthToken, OAuthAuthorization} from './oauth'
export {Activity, PleromaObject} from './activity'
export {FollowingRelationship, FollowState, UserRelationship, Notification} from './relationships'

import {User} from './user'
import {UserInviteToken} from './user-invite-token'
import {PasswordResetToken} from './password-reset-token'
import {App, OAuthToken, OAuthAuthorization} from './oauth'
import {Activity, PleromaObject} from './activity'
import {FollowingRelationship, UserRelationship, Notification} from './relationships'

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
]
