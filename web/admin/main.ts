import { AdminApp } from './admin-app.js';
import { ModerationView } from './views/moderation.js';
import { OnlineView } from './views/online.js';
import { PinsView } from './views/pins.js';
import { RecordView } from './views/record.js';
import { RoomsView } from './views/rooms.js';
import { SearchView } from './views/search.js';
import { SettingsView } from './views/settings.js';
import { UsersView } from './views/users.js';

customElements.define('pa-settings', SettingsView);
customElements.define('pa-rooms', RoomsView);
customElements.define('pa-online', OnlineView);
customElements.define('pa-moderation', ModerationView);
customElements.define('pa-record', RecordView);
customElements.define('pa-search', SearchView);
customElements.define('pa-pins', PinsView);
customElements.define('pa-users', UsersView);
customElements.define('parley-admin', AdminApp);
