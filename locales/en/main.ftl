# Session desktop app: English (the reference; every other language has exactly these keys)

app-name = Session
welcome-tagline = Private messages, no phone number.
create-account = Create account
restore-account = I have an account
continue = Continue
back = Back
cancel = Cancel
close = Close
save = Save
copy = Copy
copied = Copied
delete = Delete
retry = Retry
send = Send
accept = Accept
decline = Decline
block = Block
connecting = Connecting to the network…

created-title = Your new account
your-session-id = Your Session ID
your-recovery-phrase = Your recovery phrase
phrase-warning = Write the recovery phrase down and keep it safe. It is the only way to restore your account, and anyone who has it can read your messages.
copy-phrase = Copy phrase
phrase-noted = I have saved it
display-name-title = Pick a display name
display-name-hint = This is the name your contacts see. You can change it later.
display-name-placeholder = Display name
display-name = Display name

restore-title = Restore your account
restore-hint = Type or paste your 13-word recovery phrase.
restore-placeholder = word1 word2 word3 …
restore-button = Restore
restore-typing = { $count } of { $total } words. Matching words: { $suggestions }
restore-unknown-word = Word { $position }, “{ $word }”, is not in the word list. Nearest words: { $suggestions }
restore-word-count = A recovery phrase has { $total } words; this one has { $found }.
restore-checksum = All words are known, but the last word does not match the others. Check for a mistyped or swapped word.
restore-triplet = Words { $first } to { $last } cannot go together. Check them for a typo.
restore-valid = The phrase is valid.
restored-title = Account restored
restore-sync-fetching = Fetching your profile and contacts…
restore-sync-done = Restored: { $name }, { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    }
restore-sync-done-unnamed = Restored: { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    }, no display name
restore-sync-later = Your profile and contacts will arrive once the network can be reached.

search-placeholder = Search
search-messages = Messages
search-no-results = No messages found.
message-requests = Message requests
no-conversations = No conversations yet. Start one with +.
no-conversation-title = Welcome to Session
no-conversation-hint = Pick a conversation or start a new one.
new-conversation = New conversation
new-conversation-hint = Paste the Session ID of the person you want to talk to, or scan their QR code.
session-id-placeholder = Session ID (66 characters, starts with 05)
scan-qr-file = Scan QR from file
scan-qr-clipboard = Scan QR from clipboard
start-conversation = Start
draft-preview = Draft: { $text }
session-id-error-length = A Session ID has 66 characters (05 followed by 64 hex digits), but this one has { $found }.
session-id-error-byte-length = A Session ID is 33 bytes long, but this one has { $found }.
session-id-error-not-hex = A Session ID contains only the digits 0–9 and the letters a–f, but character { $position } is “{ $character }”.
session-id-error-prefix = A Session ID starts with 05, but this one starts with { $prefix }. { $kind ->
        [blinded] That is a blinded community ID, not a Session ID.
        [group] That is a group ID, not a Session ID.
        [community-key] That is a key used by communities, not a Session ID.
        [version-key] That is a version-check key, not a Session ID.
       *[other] That is not any kind of Session account ID.
    }
session-id-error-invalid = This is not a valid Session ID.
qr-error-image = The image could not be read. Use a PNG file.
qr-error-not-found = No QR code was found in the image.
qr-error-unreadable = A QR code was found but could not be read. Try a sharper or larger image.
qr-error-clipboard-empty = The clipboard holds no image. Copy a picture of the QR code first.
qr-error-save = The image could not be saved: { $detail }
qr-saved = Saved to { $path }
problem-fetch = New messages cannot be fetched right now ({ $detail }).
problem-send = A message could not be sent ({ $detail }).

composer-placeholder = Message
loading-older = Scroll up for older messages
no-messages-yet = No messages yet. Say hello!
day-today = Today
day-yesterday = Yesterday
typing = { $name } is typing…
status-sending = Sending
status-sent = Sent
status-read = Read
status-failed = Failed to send

my-qr-title = Your Session ID
copy-id = Copy ID
save-png = Save as PNG
qr-failed = The QR code could not be drawn.
notification-new-message = New message
nickname-edit = Set nickname
nickname-title = Nickname for { $name }
nickname-hint = Only you see it, here and on your other devices. Leave it empty to show their own name.
nickname-placeholder = Nickname

settings-profile = Profile
settings-recovery = Recovery phrase
settings-devices = Other devices
settings-privacy = Privacy
settings-appearance = Appearance
settings-language = Language
settings-network = Network

recovery-explain = Your recovery phrase is the master key to your account. Reveal it only where nobody can see your screen.
recovery-reveal = Show recovery phrase
recovery-confirm = Anyone who sees the recovery phrase can take over your account. Show it now?
recovery-confirm-button = Yes, show it
recovery-hide = Hide

devices-same-account = Any phone or computer where you enter your recovery phrase becomes this same account, with the same Session ID and the same contacts. There is no separate list of devices: whoever has the phrase is you.
devices-synced-title = What syncs between your devices
devices-synced-name = Your display name
devices-synced-contacts = Your contacts and the nicknames you gave them
devices-synced-blocked = Blocked contacts
devices-synced-requests = Message requests you accepted
devices-synced-read = Which messages you have read
devices-not-synced-title = What does not sync
devices-not-synced-history = Messages older than 14 days. The network keeps messages for 14 days, so older history lived only on the old device.
devices-not-synced-prefs = This device's theme, language, text size and notification settings.
devices-sync-hint = Changes reach your other devices by themselves while they are online. Sync now fetches and sends them at once.
devices-sync-now = Sync now
devices-syncing = Syncing…
devices-sync-done = Done. { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    } in your synced list.
devices-sync-failed = Sync failed: { $error }

read-receipts = Read receipts
read-receipts-hint = Let others know when you have read their messages, and see when they read yours.
typing-indicators = Typing indicators
typing-indicators-hint = Show when you are typing, and see when others are.
notification-content = Notifications show
notify-name-and-content = Name and message
notify-name-only = Name only
notify-hidden = Neither name nor message

theme = Theme
theme-dark = Classic dark
theme-light = Classic light
text-size = Text size
language-system = System language

network-online = Connected through the onion network.
network-offline = Not connected.
network-pool = { $count } service nodes known.
network-no-paths = No onion paths yet.
path-title = Path { $number }
path-healthy = Healthy
path-building = Building
path-rebuilding = Rebuilding
path-you = You
path-hop = Hop { $number }
network-swarm = Your swarm
network-swarm-unknown = Your swarm is not known yet.
network-clock-offset = Clock offset to the network: { $ms } ms
network-skipped = Skipped since start: { $messages } damaged or foreign messages, { $configs } damaged config messages
