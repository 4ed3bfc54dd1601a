# Session 桌面应用：简体中文

app-name = Session
welcome-tagline = 私密消息，无需手机号码。
create-account = 创建账户
restore-account = 我已有账户
continue = 继续
back = 返回
cancel = 取消
close = 关闭
save = 保存
copy = 复制
copied = 已复制
delete = 删除
retry = 重试
send = 发送
accept = 接受
decline = 拒绝
block = 屏蔽
connecting = 正在连接网络…

created-title = 你的新账户
your-session-id = 你的 Session ID
your-recovery-phrase = 你的恢复短语
phrase-warning = 请写下恢复短语并妥善保管。它是恢复账户的唯一方式，任何拥有它的人都能读取你的消息。
copy-phrase = 复制短语
phrase-noted = 我已保存
display-name-title = 选择显示名称
display-name-hint = 这是你的联系人看到的名称，之后可以修改。
display-name-placeholder = 显示名称
display-name = 显示名称

restore-title = 恢复你的账户
restore-hint = 输入或粘贴你的 13 个单词的恢复短语。
restore-placeholder = 单词1 单词2 单词3 …
restore-button = 恢复
restore-typing = 已输入 { $count }/{ $total } 个单词。匹配的单词：{ $suggestions }
restore-unknown-word = 第 { $position } 个单词“{ $word }”不在单词表中。相近的单词：{ $suggestions }
restore-word-count = 恢复短语有 { $total } 个单词，而这里有 { $found } 个。
restore-checksum = 所有单词都存在，但最后一个单词与其他单词不匹配。请检查是否有拼错或顺序颠倒的单词。
restore-triplet = 第 { $first } 到第 { $last } 个单词不能组合在一起，请检查是否拼错。
restore-valid = 短语有效。
restored-title = 账户已恢复
restore-sync-fetching = 正在获取你的个人资料和联系人…
restore-sync-done = 已恢复：{ $name }，{ $count } 个联系人
restore-sync-done-unnamed = 已恢复：{ $count } 个联系人，未设置显示名称
restore-sync-later = 网络可用后，你的个人资料和联系人会自动到达。

search-placeholder = 搜索
search-messages = 消息
search-no-results = 未找到消息。
message-requests = 消息请求
no-conversations = 还没有会话。点击 + 开始一个。
no-conversation-title = 欢迎使用 Session
no-conversation-hint = 选择一个会话或开始新会话。
new-conversation = 新会话
new-conversation-hint = 粘贴对方的 Session ID，或扫描对方的二维码。
session-id-placeholder = Session ID（66 个字符，以 05 开头）
scan-qr-file = 从文件扫描二维码
scan-qr-clipboard = 从剪贴板扫描二维码
start-conversation = 开始
draft-preview = 草稿：{ $text }
session-id-error-length = Session ID 有 66 个字符（05 加 64 个十六进制数字），而这里有 { $found } 个。
session-id-error-byte-length = Session ID 长 33 字节，而这里有 { $found } 字节。
session-id-error-not-hex = Session ID 只包含数字 0–9 和字母 a–f，但第 { $position } 个字符是“{ $character }”。
session-id-error-prefix = Session ID 以 05 开头，而这个以 { $prefix } 开头。{ $kind ->
        [blinded] 这是社区的盲化 ID，不是 Session ID。
        [group] 这是群组 ID，不是 Session ID。
        [community-key] 这是社区使用的密钥，不是 Session ID。
        [version-key] 这是版本校验密钥，不是 Session ID。
       *[other] 这不是任何类型的 Session 账户 ID。
    }
session-id-error-invalid = 这不是有效的 Session ID。
qr-error-image = 无法读取图片。请使用 PNG 文件。
qr-error-not-found = 图片中没有找到二维码。
qr-error-unreadable = 找到了二维码，但无法读取。请换一张更清晰或更大的图片。
qr-error-clipboard-empty = 剪贴板中没有图片。请先复制二维码图片。
qr-error-save = 无法保存图片：{ $detail }
qr-saved = 已保存到 { $path }
problem-fetch = 暂时无法获取新消息（{ $detail }）。
problem-send = 一条消息未能发送（{ $detail }）。

composer-placeholder = 消息
loading-older = 向上滚动查看更早的消息
no-messages-yet = 还没有消息。打个招呼吧！
day-today = 今天
day-yesterday = 昨天
typing = { $name } 正在输入…
status-sending = 发送中
status-sent = 已发送
status-read = 已读
status-failed = 发送失败

my-qr-title = 你的 Session ID
copy-id = 复制 ID
save-png = 保存为 PNG
qr-failed = 无法绘制二维码。
notification-new-message = 新消息
nickname-edit = 设置昵称
nickname-title = { $name } 的昵称
nickname-hint = 只有你能看到，在这里和你的其他设备上都一样。留空则显示对方自己的名字。
nickname-placeholder = 昵称

settings-profile = 个人资料
settings-recovery = 恢复短语
settings-devices = 其他设备
settings-privacy = 隐私
settings-appearance = 外观
settings-language = 语言
settings-network = 网络

recovery-explain = 恢复短语是你账户的主密钥。请只在无人能看到屏幕时显示它。
recovery-reveal = 显示恢复短语
recovery-confirm = 任何看到恢复短语的人都可以接管你的账户。现在显示吗？
recovery-confirm-button = 是，显示
recovery-hide = 隐藏

devices-same-account = 在任何手机或电脑上输入你的恢复短语，它就会成为这同一个账户，拥有相同的 Session ID 和相同的联系人。没有单独的设备列表：持有短语的人就是你。
devices-synced-title = 在设备之间同步的内容
devices-synced-name = 你的显示名称
devices-synced-contacts = 你的联系人以及你给他们起的昵称
devices-synced-blocked = 已屏蔽的联系人
devices-synced-requests = 你已接受的消息请求
devices-synced-read = 你已读过哪些消息
devices-not-synced-title = 不会同步的内容
devices-not-synced-history = 超过 14 天的消息。网络只保存消息 14 天，更早的历史记录只存在于旧设备上。
devices-not-synced-prefs = 本设备的主题、语言、文字大小和通知设置。
devices-sync-hint = 其他设备在线时，更改会自动到达。“立即同步”会马上获取并发送更改。
devices-sync-now = 立即同步
devices-syncing = 正在同步…
devices-sync-done = 完成。已同步列表中有 { $count } 个联系人。
devices-sync-failed = 同步失败：{ $error }

read-receipts = 已读回执
read-receipts-hint = 让对方知道你已读其消息，并查看对方何时读了你的消息。
typing-indicators = 输入状态提示
typing-indicators-hint = 显示你正在输入，并查看对方是否在输入。
notification-content = 通知显示
notify-name-and-content = 名称和消息
notify-name-only = 仅名称
notify-hidden = 不显示名称和消息

theme = 主题
theme-dark = 经典深色
theme-light = 经典浅色
text-size = 文字大小
language-system = 系统语言

network-online = 已通过洋葱网络连接。
network-offline = 未连接。
network-pool = 已知 { $count } 个服务节点。
network-no-paths = 尚无洋葱路径。
path-title = 路径 { $number }
path-healthy = 正常
path-building = 正在建立
path-rebuilding = 正在重建
path-you = 你
path-hop = 节点 { $number }
network-swarm = 你的节点群
network-swarm-unknown = 尚不知道你的节点群。
network-clock-offset = 与网络的时钟偏差：{ $ms } 毫秒
network-skipped = 启动以来跳过：{ $messages } 条损坏或不属于你的消息，{ $configs } 条损坏的配置消息
