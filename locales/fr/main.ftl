# Application de bureau Session : français

app-name = Session
welcome-tagline = Des messages privés, sans numéro de téléphone.
create-account = Créer un compte
restore-account = J’ai déjà un compte
continue = Continuer
back = Retour
cancel = Annuler
close = Fermer
save = Enregistrer
copy = Copier
copied = Copié
delete = Supprimer
retry = Réessayer
send = Envoyer
accept = Accepter
decline = Refuser
block = Bloquer
connecting = Connexion au réseau…

created-title = Votre nouveau compte
your-session-id = Votre identifiant Session
your-recovery-phrase = Votre phrase de récupération
phrase-warning = Notez la phrase de récupération et gardez-la en lieu sûr. C’est le seul moyen de restaurer votre compte, et toute personne qui la possède peut lire vos messages.
copy-phrase = Copier la phrase
phrase-noted = Je l’ai sauvegardée
display-name-title = Choisissez un nom d’affichage
display-name-hint = C’est le nom que voient vos contacts. Vous pourrez le changer plus tard.
display-name-placeholder = Nom d’affichage
display-name = Nom d’affichage

restore-title = Restaurer votre compte
restore-hint = Saisissez ou collez votre phrase de récupération de 13 mots.
restore-placeholder = mot1 mot2 mot3 …
restore-button = Restaurer
restore-typing = { $count } mots sur { $total }. Mots possibles : { $suggestions }
restore-unknown-word = Le mot { $position }, « { $word } », n’est pas dans la liste. Mots proches : { $suggestions }
restore-word-count = Une phrase de récupération compte { $total } mots ; celle-ci en a { $found }.
restore-checksum = Tous les mots sont connus, mais le dernier ne correspond pas aux autres. Vérifiez qu’aucun mot n’est mal saisi ou inversé.
restore-triplet = Les mots { $first } à { $last } ne vont pas ensemble. Vérifiez-les.
restore-valid = La phrase est valide.
restored-title = Compte restauré
restore-sync-fetching = Récupération de votre profil et de vos contacts…
restore-sync-done = Restauré : { $name }, { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    }
restore-sync-done-unnamed = Restauré : { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    }, pas de nom d’affichage
restore-sync-later = Votre profil et vos contacts arriveront dès que le réseau sera joignable.

search-placeholder = Rechercher
search-messages = Messages
search-no-results = Aucun message trouvé.
message-requests = Demandes de message
no-conversations = Aucune conversation. Commencez-en une avec +.
no-conversation-title = Bienvenue sur Session
no-conversation-hint = Choisissez une conversation ou commencez-en une nouvelle.
new-conversation = Nouvelle conversation
new-conversation-hint = Collez l’identifiant Session de votre correspondant ou scannez son code QR.
session-id-placeholder = Identifiant Session (66 caractères, commence par 05)
scan-qr-file = Scanner un QR depuis un fichier
scan-qr-clipboard = Scanner un QR du presse-papiers
start-conversation = Commencer
draft-preview = Brouillon : { $text }
session-id-error-length = Un identifiant Session compte 66 caractères (05 suivi de 64 chiffres hexadécimaux), celui-ci en a { $found }.
session-id-error-byte-length = Un identifiant Session fait 33 octets, celui-ci en a { $found }.
session-id-error-not-hex = Un identifiant Session ne contient que les chiffres 0 à 9 et les lettres a à f, mais le caractère { $position } est « { $character } ».
session-id-error-prefix = Un identifiant Session commence par 05, celui-ci commence par { $prefix }. { $kind ->
        [blinded] C’est un identifiant de communauté masqué, pas un identifiant Session.
        [group] C’est un identifiant de groupe, pas un identifiant Session.
        [community-key] C’est une clé utilisée par les communautés, pas un identifiant Session.
        [version-key] C’est une clé de vérification de version, pas un identifiant Session.
       *[other] Ce n’est aucun type d’identifiant de compte Session.
    }
session-id-error-invalid = Ce n’est pas un identifiant Session valide.
qr-error-image = L’image n’a pas pu être lue. Utilisez un fichier PNG.
qr-error-not-found = Aucun code QR n’a été trouvé dans l’image.
qr-error-unreadable = Un code QR a été trouvé mais n’a pas pu être lu. Essayez une image plus nette ou plus grande.
qr-error-clipboard-empty = Le presse-papiers ne contient pas d’image. Copiez d’abord une image du code QR.
qr-error-save = L’image n’a pas pu être enregistrée : { $detail }
qr-saved = Enregistré dans { $path }
problem-fetch = Les nouveaux messages ne peuvent pas être récupérés pour le moment ({ $detail }).
problem-send = Un message n’a pas pu être envoyé ({ $detail }).

composer-placeholder = Message
loading-older = Faites défiler vers le haut pour les messages plus anciens
no-messages-yet = Pas encore de messages. Dites bonjour !
day-today = Aujourd’hui
day-yesterday = Hier
typing = { $name } écrit…
status-sending = Envoi
status-sent = Envoyé
status-read = Lu
status-failed = Échec de l’envoi

my-qr-title = Votre identifiant Session
copy-id = Copier l’identifiant
save-png = Enregistrer en PNG
qr-failed = Le code QR n’a pas pu être dessiné.
notification-new-message = Nouveau message
nickname-edit = Définir un surnom
nickname-title = Surnom pour { $name }
nickname-hint = Vous seul le voyez, ici et sur vos autres appareils. Laissez vide pour afficher son propre nom.
nickname-placeholder = Surnom

settings-profile = Profil
settings-recovery = Phrase de récupération
settings-devices = Autres appareils
settings-privacy = Confidentialité
settings-appearance = Apparence
settings-language = Langue
settings-network = Réseau

recovery-explain = Votre phrase de récupération est la clé maîtresse de votre compte. Ne l’affichez que là où personne ne voit votre écran.
recovery-reveal = Afficher la phrase de récupération
recovery-confirm = Quiconque voit la phrase de récupération peut prendre le contrôle de votre compte. L’afficher maintenant ?
recovery-confirm-button = Oui, l’afficher
recovery-hide = Masquer

devices-same-account = Tout téléphone ou ordinateur sur lequel vous saisissez votre phrase de récupération devient ce même compte, avec le même Session ID et les mêmes contacts. Il n’y a pas de liste d’appareils à part : qui a la phrase, c’est vous.
devices-synced-title = Ce qui est synchronisé entre vos appareils
devices-synced-name = Votre nom d’affichage
devices-synced-contacts = Vos contacts et les surnoms que vous leur avez donnés
devices-synced-blocked = Les contacts bloqués
devices-synced-requests = Les demandes de message que vous avez acceptées
devices-synced-read = Les messages que vous avez lus
devices-not-synced-title = Ce qui n’est pas synchronisé
devices-not-synced-history = Les messages de plus de 14 jours. Le réseau garde les messages 14 jours : l’historique plus ancien n’existait que sur l’ancien appareil.
devices-not-synced-prefs = Le thème, la langue, la taille du texte et les réglages de notification de cet appareil.
devices-sync-hint = Les changements atteignent vos autres appareils d’eux-mêmes quand ils sont en ligne. « Synchroniser » les récupère et les envoie tout de suite.
devices-sync-now = Synchroniser
devices-syncing = Synchronisation…
devices-sync-done = Terminé. { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    } dans votre liste synchronisée.
devices-sync-failed = La synchronisation a échoué : { $error }

read-receipts = Accusés de lecture
read-receipts-hint = Indiquer aux autres quand vous avez lu leurs messages, et voir quand ils lisent les vôtres.
typing-indicators = Indicateurs de saisie
typing-indicators-hint = Montrer quand vous écrivez, et voir quand les autres écrivent.
notification-content = Les notifications montrent
notify-name-and-content = Le nom et le message
notify-name-only = Le nom seulement
notify-hidden = Ni le nom ni le message

theme = Thème
theme-dark = Classique sombre
theme-light = Classique clair
text-size = Taille du texte
language-system = Langue du système

network-online = Connecté via le réseau onion.
network-offline = Non connecté.
network-pool = { $count } nœuds de service connus.
network-no-paths = Pas encore de chemin onion.
path-title = Chemin { $number }
path-healthy = Opérationnel
path-building = En construction
path-rebuilding = En reconstruction
path-you = Vous
path-hop = Nœud { $number }
network-swarm = Votre essaim
network-swarm-unknown = Votre essaim n’est pas encore connu.
network-clock-offset = Décalage d’horloge avec le réseau : { $ms } ms
network-skipped = Ignorés depuis le démarrage : { $messages } messages endommagés ou étrangers, { $configs } messages de configuration endommagés
