# Aplicación de escritorio Session: español

app-name = Session
welcome-tagline = Mensajes privados, sin número de teléfono.
create-account = Crear cuenta
restore-account = Ya tengo una cuenta
continue = Continuar
back = Atrás
cancel = Cancelar
close = Cerrar
save = Guardar
copy = Copiar
copied = Copiado
delete = Eliminar
retry = Reintentar
send = Enviar
accept = Aceptar
decline = Rechazar
block = Bloquear
connecting = Conectando con la red…

created-title = Tu nueva cuenta
your-session-id = Tu ID de Session
your-recovery-phrase = Tu frase de recuperación
phrase-warning = Anota la frase de recuperación y guárdala en un lugar seguro. Es la única forma de restaurar tu cuenta, y cualquiera que la tenga puede leer tus mensajes.
copy-phrase = Copiar frase
phrase-noted = Ya la he guardado
display-name-title = Elige un nombre visible
display-name-hint = Es el nombre que ven tus contactos. Puedes cambiarlo más tarde.
display-name-placeholder = Nombre visible
display-name = Nombre visible

restore-title = Restaurar tu cuenta
restore-hint = Escribe o pega tu frase de recuperación de 13 palabras.
restore-placeholder = palabra1 palabra2 palabra3 …
restore-button = Restaurar
restore-typing = { $count } de { $total } palabras. Palabras posibles: { $suggestions }
restore-unknown-word = La palabra { $position }, «{ $word }», no está en la lista. Palabras parecidas: { $suggestions }
restore-word-count = Una frase de recuperación tiene { $total } palabras; esta tiene { $found }.
restore-checksum = Todas las palabras existen, pero la última no coincide con las demás. Revisa si hay una palabra mal escrita o intercambiada.
restore-triplet = Las palabras { $first } a { $last } no pueden ir juntas. Revisa si hay una errata.
restore-valid = La frase es válida.
restored-title = Cuenta restaurada
restore-sync-fetching = Obteniendo tu perfil y tus contactos…
restore-sync-done = Restaurada: { $name }, { $count ->
        [one] { $count } contacto
       *[other] { $count } contactos
    }
restore-sync-done-unnamed = Restaurada: { $count ->
        [one] { $count } contacto
       *[other] { $count } contactos
    }, sin nombre visible
restore-sync-later = Tu perfil y tus contactos llegarán en cuanto se pueda acceder a la red.

search-placeholder = Buscar
search-messages = Mensajes
search-no-results = No se encontraron mensajes.
message-requests = Solicitudes de mensaje
no-conversations = Aún no hay conversaciones. Empieza una con +.
no-conversation-title = Bienvenido a Session
no-conversation-hint = Elige una conversación o empieza una nueva.
new-conversation = Nueva conversación
new-conversation-hint = Pega el ID de Session de la persona con quien quieres hablar o escanea su código QR.
session-id-placeholder = ID de Session (66 caracteres, empieza por 05)
scan-qr-file = Escanear QR de un archivo
scan-qr-clipboard = Escanear QR del portapapeles
start-conversation = Empezar
draft-preview = Borrador: { $text }
session-id-error-length = Un ID de Session tiene 66 caracteres (05 seguido de 64 dígitos hexadecimales), pero este tiene { $found }.
session-id-error-byte-length = Un ID de Session ocupa 33 bytes, pero este tiene { $found }.
session-id-error-not-hex = Un ID de Session solo contiene los dígitos 0–9 y las letras a–f, pero el carácter { $position } es «{ $character }».
session-id-error-prefix = Un ID de Session empieza por 05, pero este empieza por { $prefix }. { $kind ->
        [blinded] Es un ID de comunidad cegado, no un ID de Session.
        [group] Es un ID de grupo, no un ID de Session.
        [community-key] Es una clave que usan las comunidades, no un ID de Session.
        [version-key] Es una clave de comprobación de versión, no un ID de Session.
       *[other] No es ningún tipo de ID de cuenta de Session.
    }
session-id-error-invalid = No es un ID de Session válido.
qr-error-image = No se pudo leer la imagen. Usa un archivo PNG.
qr-error-not-found = No se encontró ningún código QR en la imagen.
qr-error-unreadable = Se encontró un código QR, pero no se pudo leer. Prueba con una imagen más nítida o más grande.
qr-error-clipboard-empty = El portapapeles no contiene ninguna imagen. Copia antes una imagen del código QR.
qr-error-save = No se pudo guardar la imagen: { $detail }
qr-saved = Guardado en { $path }
problem-fetch = Ahora mismo no se pueden obtener mensajes nuevos ({ $detail }).
problem-send = No se pudo enviar un mensaje ({ $detail }).

composer-placeholder = Mensaje
loading-older = Desplázate hacia arriba para ver mensajes anteriores
no-messages-yet = Aún no hay mensajes. ¡Saluda!
day-today = Hoy
day-yesterday = Ayer
typing = { $name } está escribiendo…
status-sending = Enviando
status-sent = Enviado
status-read = Leído
status-failed = Error al enviar

my-qr-title = Tu ID de Session
copy-id = Copiar ID
save-png = Guardar como PNG
qr-failed = No se pudo dibujar el código QR.
notification-new-message = Mensaje nuevo
nickname-edit = Poner apodo
nickname-title = Apodo para { $name }
nickname-hint = Solo tú lo ves, aquí y en tus otros dispositivos. Déjalo vacío para mostrar su propio nombre.
nickname-placeholder = Apodo

settings-profile = Perfil
settings-recovery = Frase de recuperación
settings-devices = Otros dispositivos
settings-privacy = Privacidad
settings-appearance = Apariencia
settings-language = Idioma
settings-network = Red

recovery-explain = Tu frase de recuperación es la llave maestra de tu cuenta. Muéstrala solo donde nadie pueda ver tu pantalla.
recovery-reveal = Mostrar la frase de recuperación
recovery-confirm = Cualquiera que vea la frase de recuperación puede apoderarse de tu cuenta. ¿Mostrarla ahora?
recovery-confirm-button = Sí, mostrarla
recovery-hide = Ocultar

devices-same-account = Cualquier teléfono u ordenador donde introduzcas tu frase de recuperación pasa a ser esta misma cuenta, con el mismo Session ID y los mismos contactos. No hay una lista de dispositivos aparte: quien tiene la frase eres tú.
devices-synced-title = Qué se sincroniza entre tus dispositivos
devices-synced-name = Tu nombre visible
devices-synced-contacts = Tus contactos y los apodos que les diste
devices-synced-blocked = Los contactos bloqueados
devices-synced-requests = Las solicitudes de mensaje que aceptaste
devices-synced-read = Qué mensajes has leído
devices-not-synced-title = Qué no se sincroniza
devices-not-synced-history = Los mensajes de hace más de 14 días. La red guarda los mensajes 14 días, así que el historial más antiguo solo estaba en el dispositivo anterior.
devices-not-synced-prefs = El tema, el idioma, el tamaño del texto y los ajustes de notificaciones de este dispositivo.
devices-sync-hint = Los cambios llegan solos a tus otros dispositivos cuando están en línea. «Sincronizar ahora» los obtiene y los envía al momento.
devices-sync-now = Sincronizar ahora
devices-syncing = Sincronizando…
devices-sync-done = Listo. { $count ->
        [one] { $count } contacto
       *[other] { $count } contactos
    } en tu lista sincronizada.
devices-sync-failed = La sincronización falló: { $error }

read-receipts = Confirmaciones de lectura
read-receipts-hint = Avisar a los demás cuando has leído sus mensajes y ver cuándo leen los tuyos.
typing-indicators = Indicadores de escritura
typing-indicators-hint = Mostrar cuándo escribes y ver cuándo escriben los demás.
notification-content = Las notificaciones muestran
notify-name-and-content = Nombre y mensaje
notify-name-only = Solo el nombre
notify-hidden = Ni nombre ni mensaje

theme = Tema
theme-dark = Clásico oscuro
theme-light = Clásico claro
text-size = Tamaño del texto
language-system = Idioma del sistema

network-online = Conectado a través de la red onion.
network-offline = Sin conexión.
network-pool = { $count } nodos de servicio conocidos.
network-no-paths = Aún no hay rutas onion.
path-title = Ruta { $number }
path-healthy = Operativa
path-building = Construyéndose
path-rebuilding = Reconstruyéndose
path-you = Tú
path-hop = Salto { $number }
network-swarm = Tu enjambre
network-swarm-unknown = Tu enjambre aún no se conoce.
network-clock-offset = Desfase del reloj con la red: { $ms } ms
network-skipped = Omitidos desde el inicio: { $messages } mensajes dañados o ajenos, { $configs } mensajes de configuración dañados
