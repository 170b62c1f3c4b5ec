// SPDX-License-Identifier: Apache-2.0

/// A site's warning level: none, then blue / yellow / orange / red (注意 / 警示 / 警戒 / 警报), domain.md §1.
///
/// Ordered, so "at least yellow" is `level >= .yellow`. The raw value is what the database stores.
public enum WarningLevel: Int, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// No warning.
    case none = 0
    /// 注意级: duty, patrols, watch.
    case blue = 1
    /// 警示级: tell threatened residents to prepare to evacuate.
    case yellow = 2
    /// 警戒级: evacuate people at the threatened points.
    case orange = 3
    /// 警报级: evacuate, 熔断 across the area, report upward.
    case red = 4

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The levels that warn, lowest first.
    public static let warning: [WarningLevel] = [.blue, .yellow, .orange, .red]

    /// `blue`, `yellow`, `orange`, `red`, or `none`.
    public var name: String {
        switch self {
        case .none: "none"
        case .blue: "blue"
        case .yellow: "yellow"
        case .orange: "orange"
        case .red: "red"
        }
    }

    public var description: String { self.name }

    /// 注意级 / 警示级 / 警戒级 / 警报级 (geohazard single-site scheme), or 无.
    public var chineseName: String {
        switch self {
        case .none: "无"
        case .blue: "注意级（蓝色）"
        case .yellow: "警示级（黄色）"
        case .orange: "警戒级（橙色）"
        case .red: "警报级（红色）"
        }
    }

    /// What the level asks of the people under the slope, so that an alert can say it.
    public var action: PeopleAction {
        switch self {
        case .none: .none
        case .blue: .watch
        case .yellow: .prepare
        case .orange, .red: .evacuate
        }
    }

    /// Parses a level name as a rule file writes it: the colour (`yellow`), the single-site name (`警示`,
    /// `警示级`), the colour in Chinese (`黄色`), or a flash-flood monitoring grade (`内部预警` = blue,
    /// `准备转移` = yellow, `立即转移` = red: the top grade of that three-grade scheme maps to the top of this
    /// one; orange and red both mean "evacuate").
    public init?(name: String) {
        switch name.lowercased() {
        case "none", "无": self = .none
        case "blue", "注意", "注意级", "蓝色", "蓝", "内部预警": self = .blue
        case "yellow", "警示", "警示级", "黄色", "黄", "准备转移": self = .yellow
        case "orange", "警戒", "警戒级", "橙色", "橙": self = .orange
        case "red", "警报", "警报级", "红色", "红", "立即转移": self = .red
        default: return nil
        }
    }
}

/// What a warning level asks of the threatened people (domain.md §1, national 2025 wording).
public enum PeopleAction: String, Sendable, Hashable, Codable {
    /// No action.
    case none
    /// Watch for updates, keep away from gullies and steep slopes; duty and patrols.
    case watch
    /// Prepare to evacuate (准备转移).
    case prepare
    /// Evacuate now (立即转移) to the shelter on the 避险明白卡.
    case evacuate

    /// The instruction in Chinese, the default language of messages.
    public var chineseText: String {
        switch self {
        case .none: "无需行动"
        case .watch: "加强巡查，关注预警信息，远离沟谷和陡坡"
        case .prepare: "做好转移准备，受威胁群众随时准备撤离"
        case .evacuate: "立即转移，受威胁群众按避险明白卡路线撤离到安置点"
        }
    }

    /// The instruction in English.
    public var englishText: String {
        switch self {
        case .none: "No action"
        case .watch: "Patrol more often, watch for updates, keep away from gullies and steep slopes"
        case .prepare: "Prepare to evacuate; threatened residents stand ready to leave"
        case .evacuate: "Evacuate now along the route on the evacuation card to the shelter"
        }
    }
}
