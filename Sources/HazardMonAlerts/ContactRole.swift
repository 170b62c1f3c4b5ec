// SPDX-License-Identifier: Apache-2.0

/// What a contact on the roster does in the county's warning chain (domain.md §6, "village chain").
///
/// The English key is what `contacts.csv` and `policy.yaml` write; the Chinese name is accepted too.
public enum ContactRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// 群测群防员: the village's hazard monitor, who reads the gauges and walks the slope.
    case monitor
    /// 村主任: the village head, who orders the alarm and the evacuation.
    case villageHead = "village_head"
    /// 网格员: a grid worker, who goes door to door.
    case gridWorker = "grid_worker"
    /// 运维人员: keeps the instruments working (any scope: a village, a township or the county).
    case maintainer
    /// 乡镇值班员: the township's duty officer.
    case townshipDuty = "township_duty"
    /// 县值班员: the county's duty officer.
    case countyDuty = "county_duty"

    /// The key as files write it: `monitor`, `village_head`, …
    public var key: String { self.rawValue }

    public var description: String { self.rawValue }

    /// The Chinese name: 群测群防员, 村主任, 网格员, 运维人员, 乡镇值班员, 县值班员.
    public var chineseName: String {
        switch self {
        case .monitor: "群测群防员"
        case .villageHead: "村主任"
        case .gridWorker: "网格员"
        case .maintainer: "运维人员"
        case .townshipDuty: "乡镇值班员"
        case .countyDuty: "县值班员"
        }
    }

    /// The tier of the warning chain whose contacts hold this role, or nil for a role held at any tier
    /// (``maintainer``).
    public var tier: EscalationTier? {
        switch self {
        case .monitor, .villageHead, .gridWorker: .village
        case .townshipDuty: .township
        case .countyDuty: .county
        case .maintainer: nil
        }
    }

    /// Parses the English key or the Chinese name; nil for anything else.
    public init?(name: String) {
        let key = name.lowercased()
        guard let role = Self.allCases.first(where: { $0.rawValue == key || $0.chineseName == name }) else { return nil }
        self = role
    }

    /// File order: village roles first, then the maintainer, the township and the county.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
    }
}

/// A tier of the warning chain: a village, its township, the county (县-乡-村, domain.md §6).
///
/// Ordered from the bottom: an unacknowledged alert escalates from a tier to the next one up.
public enum EscalationTier: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// A village (村): its monitor, head and grid workers.
    case village
    /// A township (乡镇): its duty officers.
    case township
    /// The county (县): its duty officers.
    case county

    public var description: String { self.rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
    }
}
