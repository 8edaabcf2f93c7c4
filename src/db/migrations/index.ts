import {PleromaTables1732600000000} from './1732600000000-PleromaTables'
import {AdminSettings1732600000001} from './1732600000001-AdminSettings'
import {ModerationLog1732600000010} from './1732600000010-ModerationLog'

/** The tool's own migrations, in order. They run only on a database the tool owns. */
export const MIGRATIONS = [PleromaTables1732600000000, AdminSettings1732600000001, ModerationLog1732600000010]
