// SPDX-License-Identifier: Apache-2.0

/// A county's whole site register: the county itself, its villages and its sites.
public struct Registry: Sendable, Hashable, Codable {
    public var county: County
    public var villages: [Village]
    public var sites: [Site]

    public init(county: County, villages: [Village], sites: [Site]) {
        self.county = county
        self.villages = villages
        self.sites = sites
    }
}

/// What a re-import changed, by site code.
public struct RegistryDiff: Sendable, Hashable, Codable, CustomStringConvertible {
    public var added: [String]
    public var changed: [String]
    public var removed: [String]
    public var unchanged: Int

    public init(added: [String] = [], changed: [String] = [], removed: [String] = [], unchanged: Int = 0) {
        self.added = added
        self.changed = changed
        self.removed = removed
        self.unchanged = unchanged
    }

    /// Compares two registers by site code; a site whose any field differs is changed.
    public init(old: [Site], new: [Site]) {
        self.init(old: old.map { ($0.code, $0) }, new: new.map { ($0.code, $0) })
    }

    /// Compares two registers given as (site code, value) pairs, where equal values mean an unchanged
    /// site: the sites themselves, or their canonical ``Site/document``s, which a store compares without
    /// decoding every stored site.
    public init<Value: Equatable>(old: [(code: String, value: Value)], new: [(code: String, value: Value)]) {
        let before = Dictionary(old, uniquingKeysWith: { first, _ in first })
        let after = Set(new.map(\.code))
        var added: [String] = []
        var changed: [String] = []
        var unchanged = 0
        for (code, value) in new {
            if let previous = before[code] {
                if previous == value { unchanged += 1 } else { changed.append(code) }
            } else {
                added.append(code)
            }
        }
        let removed = before.keys.filter { !after.contains($0) }
        self.init(added: added.sorted(), changed: changed.sorted(), removed: removed.sorted(), unchanged: unchanged)
    }

    public var isEmpty: Bool { self.added.isEmpty && self.changed.isEmpty && self.removed.isEmpty }

    public var description: String {
        "\(self.added.count) added, \(self.changed.count) changed, \(self.removed.count) removed, \(self.unchanged) unchanged"
    }
}

/// Which sites a listing wants. Every set field must match.
public struct SiteFilter: Sendable, Hashable {
    public var kind: SiteKind?
    public var township: String?
    public var villageCode: String?
    /// A centre in the working CRS (metres) and a radius; both or neither.
    public var near: Coordinate2D?
    public var withinMeters: Double?

    public init(
        kind: SiteKind? = nil, township: String? = nil, villageCode: String? = nil,
        near: Coordinate2D? = nil, withinMeters: Double? = nil
    ) {
        self.kind = kind
        self.township = township
        self.villageCode = villageCode
        self.near = near
        self.withinMeters = withinMeters
    }

    /// Whether a site passes the filter (the reference semantics a store query must reproduce).
    public func matches(_ site: Site) -> Bool {
        if let kind = self.kind, site.kind != kind { return false }
        if let township = self.township, site.township != township { return false }
        if let village = self.villageCode, site.villageCode != village { return false }
        if let centre = self.near, let radius = self.withinMeters, site.metric.distance(to: centre) > radius {
            return false
        }
        return true
    }
}
