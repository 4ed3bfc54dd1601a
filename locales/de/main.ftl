# Session-Desktop-App: Deutsch

app-name = Session
welcome-tagline = Private Nachrichten, ohne Telefonnummer.
create-account = Konto erstellen
restore-account = Ich habe ein Konto
continue = Weiter
back = Zurück
cancel = Abbrechen
close = Schließen
save = Speichern
copy = Kopieren
copied = Kopiert
delete = Löschen
retry = Erneut senden
send = Senden
accept = Annehmen
decline = Ablehnen
block = Blockieren
connecting = Verbindung zum Netzwerk wird hergestellt…

created-title = Dein neues Konto
your-session-id = Deine Session-ID
your-recovery-phrase = Deine Wiederherstellungsphrase
phrase-warning = Schreib die Wiederherstellungsphrase auf und bewahre sie sicher auf. Nur mit ihr kannst du dein Konto wiederherstellen, und wer sie kennt, kann deine Nachrichten lesen.
copy-phrase = Phrase kopieren
phrase-noted = Ich habe sie gesichert
display-name-title = Wähle einen Anzeigenamen
display-name-hint = Diesen Namen sehen deine Kontakte. Du kannst ihn später ändern.
display-name-placeholder = Anzeigename
display-name = Anzeigename

restore-title = Konto wiederherstellen
restore-hint = Gib deine Wiederherstellungsphrase aus 13 Wörtern ein oder füge sie ein.
restore-placeholder = wort1 wort2 wort3 …
restore-button = Wiederherstellen
restore-typing = { $count } von { $total } Wörtern. Passende Wörter: { $suggestions }
restore-unknown-word = Wort { $position }, „{ $word }“, steht nicht in der Wortliste. Ähnliche Wörter: { $suggestions }
restore-word-count = Eine Wiederherstellungsphrase hat { $total } Wörter; diese hat { $found }.
restore-checksum = Alle Wörter sind bekannt, aber das letzte Wort passt nicht zu den anderen. Prüfe, ob ein Wort vertippt oder vertauscht ist.
restore-triplet = Die Wörter { $first } bis { $last } passen nicht zusammen. Prüfe sie auf Tippfehler.
restore-valid = Die Phrase ist gültig.
restored-title = Konto wiederhergestellt
restore-sync-fetching = Dein Profil und deine Kontakte werden geladen…
restore-sync-done = Wiederhergestellt: { $name }, { $count ->
        [one] { $count } Kontakt
       *[other] { $count } Kontakte
    }
restore-sync-done-unnamed = Wiederhergestellt: { $count ->
        [one] { $count } Kontakt
       *[other] { $count } Kontakte
    }, kein Anzeigename
restore-sync-later = Dein Profil und deine Kontakte kommen an, sobald das Netzwerk erreichbar ist.

search-placeholder = Suchen
search-messages = Nachrichten
search-no-results = Keine Nachrichten gefunden.
message-requests = Nachrichtenanfragen
no-conversations = Noch keine Unterhaltungen. Beginne eine mit +.
no-conversation-title = Willkommen bei Session
no-conversation-hint = Wähle eine Unterhaltung oder beginne eine neue.
new-conversation = Neue Unterhaltung
new-conversation-hint = Füge die Session-ID der Person ein, mit der du schreiben möchtest, oder scanne ihren QR-Code.
session-id-placeholder = Session-ID (66 Zeichen, beginnt mit 05)
scan-qr-file = QR aus Datei scannen
scan-qr-clipboard = QR aus Zwischenablage scannen
start-conversation = Starten
draft-preview = Entwurf: { $text }
session-id-error-length = Eine Session-ID hat 66 Zeichen (05 gefolgt von 64 Hexadezimalziffern), diese hat { $found }.
session-id-error-byte-length = Eine Session-ID ist 33 Bytes lang, diese hat { $found }.
session-id-error-not-hex = Eine Session-ID enthält nur die Ziffern 0–9 und die Buchstaben a–f, aber Zeichen { $position } ist „{ $character }“.
session-id-error-prefix = Eine Session-ID beginnt mit 05, diese beginnt mit { $prefix }. { $kind ->
        [blinded] Das ist eine verschleierte Community-ID, keine Session-ID.
        [group] Das ist eine Gruppen-ID, keine Session-ID.
        [community-key] Das ist ein Schlüssel für Communities, keine Session-ID.
        [version-key] Das ist ein Schlüssel zur Versionsprüfung, keine Session-ID.
       *[other] Das ist keine Art von Session-Konto-ID.
    }
session-id-error-invalid = Das ist keine gültige Session-ID.
qr-error-image = Das Bild konnte nicht gelesen werden. Verwende eine PNG-Datei.
qr-error-not-found = Im Bild wurde kein QR-Code gefunden.
qr-error-unreadable = Ein QR-Code wurde gefunden, konnte aber nicht gelesen werden. Versuche ein schärferes oder größeres Bild.
qr-error-clipboard-empty = Die Zwischenablage enthält kein Bild. Kopiere zuerst ein Bild des QR-Codes.
qr-error-save = Das Bild konnte nicht gespeichert werden: { $detail }
qr-saved = Gespeichert unter { $path }
problem-fetch = Neue Nachrichten können gerade nicht abgerufen werden ({ $detail }).
problem-send = Eine Nachricht konnte nicht gesendet werden ({ $detail }).

composer-placeholder = Nachricht
loading-older = Nach oben scrollen für ältere Nachrichten
no-messages-yet = Noch keine Nachrichten. Sag hallo!
day-today = Heute
day-yesterday = Gestern
typing = { $name } schreibt…
status-sending = Wird gesendet
status-sent = Gesendet
status-read = Gelesen
status-failed = Senden fehlgeschlagen

my-qr-title = Deine Session-ID
copy-id = ID kopieren
save-png = Als PNG speichern
qr-failed = Der QR-Code konnte nicht gezeichnet werden.
notification-new-message = Neue Nachricht
nickname-edit = Spitzname festlegen
nickname-title = Spitzname für { $name }
nickname-hint = Nur du siehst ihn, hier und auf deinen anderen Geräten. Lass das Feld leer, um den eigenen Namen der Person zu zeigen.
nickname-placeholder = Spitzname

settings-profile = Profil
settings-recovery = Wiederherstellungsphrase
settings-devices = Andere Geräte
settings-privacy = Datenschutz
settings-appearance = Darstellung
settings-language = Sprache
settings-network = Netzwerk

recovery-explain = Deine Wiederherstellungsphrase ist der Hauptschlüssel zu deinem Konto. Zeige sie nur, wo niemand deinen Bildschirm sehen kann.
recovery-reveal = Wiederherstellungsphrase anzeigen
recovery-confirm = Wer die Wiederherstellungsphrase sieht, kann dein Konto übernehmen. Jetzt anzeigen?
recovery-confirm-button = Ja, anzeigen
recovery-hide = Verbergen

devices-same-account = Jedes Telefon und jeder Computer, auf dem du deine Wiederherstellungsphrase eingibst, wird zu diesem Konto, mit derselben Session-ID und denselben Kontakten. Es gibt keine eigene Geräteliste: Wer die Phrase hat, ist du.
devices-synced-title = Was zwischen deinen Geräten abgeglichen wird
devices-synced-name = Dein Anzeigename
devices-synced-contacts = Deine Kontakte und die Spitznamen, die du ihnen gegeben hast
devices-synced-blocked = Blockierte Kontakte
devices-synced-requests = Nachrichtenanfragen, die du angenommen hast
devices-synced-read = Welche Nachrichten du gelesen hast
devices-not-synced-title = Was nicht abgeglichen wird
devices-not-synced-history = Nachrichten, die älter als 14 Tage sind. Das Netzwerk bewahrt Nachrichten 14 Tage lang auf, ältere gab es nur auf dem alten Gerät.
devices-not-synced-prefs = Design, Sprache, Textgröße und Benachrichtigungseinstellungen dieses Geräts.
devices-sync-hint = Änderungen erreichen deine anderen Geräte von selbst, solange sie online sind. „Jetzt abgleichen“ holt und sendet sie sofort.
devices-sync-now = Jetzt abgleichen
devices-syncing = Wird abgeglichen…
devices-sync-done = Fertig. { $count ->
        [one] { $count } Kontakt
       *[other] { $count } Kontakte
    } in deiner abgeglichenen Liste.
devices-sync-failed = Abgleich fehlgeschlagen: { $error }

read-receipts = Lesebestätigungen
read-receipts-hint = Andere sehen, wann du ihre Nachrichten gelesen hast, und du siehst, wann sie deine lesen.
typing-indicators = Tippindikatoren
typing-indicators-hint = Zeigen, wenn du schreibst, und sehen, wenn andere schreiben.
notification-content = Benachrichtigungen zeigen
notify-name-and-content = Name und Nachricht
notify-name-only = Nur den Namen
notify-hidden = Weder Name noch Nachricht

theme = Design
theme-dark = Klassisch dunkel
theme-light = Klassisch hell
text-size = Schriftgröße
language-system = Systemsprache

network-online = Über das Onion-Netzwerk verbunden.
network-offline = Nicht verbunden.
network-pool = { $count } Dienstknoten bekannt.
network-no-paths = Noch keine Onion-Pfade.
path-title = Pfad { $number }
path-healthy = Funktioniert
path-building = Wird aufgebaut
path-rebuilding = Wird neu aufgebaut
path-you = Du
path-hop = Knoten { $number }
network-swarm = Dein Schwarm
network-swarm-unknown = Dein Schwarm ist noch nicht bekannt.
network-clock-offset = Uhrabweichung zum Netzwerk: { $ms } ms
network-skipped = Seit dem Start übersprungen: { $messages } beschädigte oder fremde Nachrichten, { $configs } beschädigte Konfigurationsnachrichten
