# Настольное приложение Session: русский

app-name = Session
welcome-tagline = Личные сообщения без номера телефона.
create-account = Создать аккаунт
restore-account = У меня есть аккаунт
continue = Продолжить
back = Назад
cancel = Отмена
close = Закрыть
save = Сохранить
copy = Копировать
copied = Скопировано
delete = Удалить
retry = Повторить
send = Отправить
accept = Принять
decline = Отклонить
block = Заблокировать
connecting = Подключение к сети…

created-title = Ваш новый аккаунт
your-session-id = Ваш Session ID
your-recovery-phrase = Ваша фраза восстановления
phrase-warning = Запишите фразу восстановления и храните её в надёжном месте. Только с ней можно восстановить аккаунт, и любой, у кого она есть, может читать ваши сообщения.
copy-phrase = Копировать фразу
phrase-noted = Я её сохранил
display-name-title = Выберите отображаемое имя
display-name-hint = Это имя видят ваши контакты. Его можно изменить позже.
display-name-placeholder = Отображаемое имя
display-name = Отображаемое имя

restore-title = Восстановление аккаунта
restore-hint = Введите или вставьте фразу восстановления из 13 слов.
restore-placeholder = слово1 слово2 слово3 …
restore-button = Восстановить
restore-typing = { $count } из { $total } слов. Подходящие слова: { $suggestions }
restore-unknown-word = Слова { $position }, «{ $word }», нет в списке. Похожие слова: { $suggestions }
restore-word-count = Во фразе восстановления { $total } слов, а в этой { $found }.
restore-checksum = Все слова известны, но последнее не сходится с остальными. Проверьте, нет ли опечатки или перестановки.
restore-triplet = Слова с { $first } по { $last } не могут стоять вместе. Проверьте их на опечатки.
restore-valid = Фраза верна.
restored-title = Аккаунт восстановлен
restore-sync-fetching = Загружаем ваш профиль и контакты…
restore-sync-done = Восстановлено: { $name }, { $count ->
        [one] { $count } контакт
        [few] { $count } контакта
       *[many] { $count } контактов
    }
restore-sync-done-unnamed = Восстановлено: { $count ->
        [one] { $count } контакт
        [few] { $count } контакта
       *[many] { $count } контактов
    }, без отображаемого имени
restore-sync-later = Профиль и контакты придут, как только сеть станет доступна.

search-placeholder = Поиск
search-messages = Сообщения
search-no-results = Сообщения не найдены.
message-requests = Запросы на переписку
no-conversations = Бесед пока нет. Начните новую кнопкой +.
no-conversation-title = Добро пожаловать в Session
no-conversation-hint = Выберите беседу или начните новую.
new-conversation = Новая беседа
new-conversation-hint = Вставьте Session ID собеседника или отсканируйте его QR-код.
session-id-placeholder = Session ID (66 символов, начинается с 05)
scan-qr-file = QR-код из файла
scan-qr-clipboard = QR-код из буфера обмена
start-conversation = Начать
draft-preview = Черновик: { $text }
session-id-error-length = Session ID состоит из 66 символов (05 и 64 шестнадцатеричные цифры), а здесь их { $found }.
session-id-error-byte-length = Session ID занимает 33 байта, а здесь их { $found }.
session-id-error-not-hex = Session ID содержит только цифры 0–9 и буквы a–f, но символ { $position } — «{ $character }».
session-id-error-prefix = Session ID начинается с 05, а этот — с { $prefix }. { $kind ->
        [blinded] Это скрытый ID сообщества, а не Session ID.
        [group] Это ID группы, а не Session ID.
        [community-key] Это ключ сообществ, а не Session ID.
        [version-key] Это ключ проверки версии, а не Session ID.
       *[other] Это не ID учётной записи Session.
    }
session-id-error-invalid = Это недействительный Session ID.
qr-error-image = Не удалось прочитать изображение. Используйте файл PNG.
qr-error-not-found = На изображении не найден QR-код.
qr-error-unreadable = QR-код найден, но его не удалось прочитать. Попробуйте более чёткое или крупное изображение.
qr-error-clipboard-empty = В буфере обмена нет изображения. Сначала скопируйте картинку с QR-кодом.
qr-error-save = Не удалось сохранить изображение: { $detail }
qr-saved = Сохранено в { $path }
problem-fetch = Сейчас не удаётся получить новые сообщения ({ $detail }).
problem-send = Не удалось отправить сообщение ({ $detail }).

composer-placeholder = Сообщение
loading-older = Прокрутите вверх, чтобы увидеть более ранние сообщения
no-messages-yet = Сообщений пока нет. Поздоровайтесь!
day-today = Сегодня
day-yesterday = Вчера
typing = { $name } печатает…
status-sending = Отправляется
status-sent = Отправлено
status-read = Прочитано
status-failed = Не отправлено

my-qr-title = Ваш Session ID
copy-id = Копировать ID
save-png = Сохранить как PNG
qr-failed = Не удалось нарисовать QR-код.
notification-new-message = Новое сообщение
nickname-edit = Задать псевдоним
nickname-title = Псевдоним для { $name }
nickname-hint = Его видите только вы, здесь и на других ваших устройствах. Оставьте поле пустым, чтобы показывать собственное имя собеседника.
nickname-placeholder = Псевдоним

settings-profile = Профиль
settings-recovery = Фраза восстановления
settings-devices = Другие устройства
settings-privacy = Конфиденциальность
settings-appearance = Внешний вид
settings-language = Язык
settings-network = Сеть

recovery-explain = Фраза восстановления — главный ключ к вашему аккаунту. Показывайте её, только когда никто не видит ваш экран.
recovery-reveal = Показать фразу восстановления
recovery-confirm = Любой, кто увидит фразу восстановления, может захватить ваш аккаунт. Показать её сейчас?
recovery-confirm-button = Да, показать
recovery-hide = Скрыть

devices-same-account = Любой телефон или компьютер, на котором вы введёте фразу восстановления, становится этим же аккаунтом, с тем же Session ID и теми же контактами. Отдельного списка устройств нет: тот, у кого есть фраза, — это вы.
devices-synced-title = Что синхронизируется между устройствами
devices-synced-name = Ваше отображаемое имя
devices-synced-contacts = Ваши контакты и псевдонимы, которые вы им дали
devices-synced-blocked = Заблокированные контакты
devices-synced-requests = Принятые запросы на переписку
devices-synced-read = Какие сообщения вы прочитали
devices-not-synced-title = Что не синхронизируется
devices-not-synced-history = Сообщения старше 14 дней. Сеть хранит сообщения 14 дней, поэтому более старая история была только на прежнем устройстве.
devices-not-synced-prefs = Тема, язык, размер текста и настройки уведомлений этого устройства.
devices-sync-hint = Изменения сами доходят до других ваших устройств, пока они в сети. «Синхронизировать» загружает и отправляет их сразу.
devices-sync-now = Синхронизировать
devices-syncing = Синхронизация…
devices-sync-done = Готово. В синхронизированном списке: { $count ->
        [one] { $count } контакт
        [few] { $count } контакта
       *[many] { $count } контактов
    }.
devices-sync-failed = Синхронизация не удалась: { $error }

read-receipts = Отчёты о прочтении
read-receipts-hint = Сообщать другим, что вы прочитали их сообщения, и видеть, когда они читают ваши.
typing-indicators = Индикаторы набора
typing-indicators-hint = Показывать, когда вы печатаете, и видеть, когда печатают другие.
notification-content = В уведомлениях показывать
notify-name-and-content = Имя и сообщение
notify-name-only = Только имя
notify-hidden = Ни имя, ни сообщение

theme = Тема
theme-dark = Классическая тёмная
theme-light = Классическая светлая
text-size = Размер текста
language-system = Язык системы

network-online = Подключено через onion-сеть.
network-offline = Нет подключения.
network-pool = Известно сервисных узлов: { $count }.
network-no-paths = Onion-маршрутов пока нет.
path-title = Маршрут { $number }
path-healthy = Работает
path-building = Строится
path-rebuilding = Перестраивается
path-you = Вы
path-hop = Узел { $number }
network-swarm = Ваш рой
network-swarm-unknown = Ваш рой пока неизвестен.
network-clock-offset = Расхождение часов с сетью: { $ms } мс
network-skipped = Пропущено с запуска: повреждённых или чужих сообщений — { $messages }, повреждённых сообщений настроек — { $configs }
