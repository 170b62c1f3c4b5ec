// SPDX-License-Identifier: Apache-2.0

/// The three kinds of monitored site a county keeps registers of.
public enum SiteKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// 地质灾害隐患点: landslide, collapse, debris flow, subsidence.
    case geohazard
    /// 山洪危险区 / 监测点: a river section and the villages it threatens.
    case flashFlood = "flash_flood"
    /// 危岩: an overhanging or fractured rock mass above people or roads.
    case dangerousRock = "dangerous_rock"

    public var description: String { self.rawValue }

    /// The Chinese name used in registers and messages.
    public var chineseName: String {
        switch self {
        case .geohazard: return "地质灾害隐患点"
        case .flashFlood: return "山洪危险区"
        case .dangerousRock: return "危岩"
        }
    }
}

/// The hazard type of a geohazard point (灾种).
public enum HazardType: String, Sendable, Hashable, Codable, CaseIterable {
    case landslide  // 滑坡
    case collapse  // 崩塌
    case debrisFlow = "debris_flow"  // 泥石流
    case subsidence  // 地面塌陷
}

/// The scale class of a site (规模等级).
public enum SiteScale: String, Sendable, Hashable, Codable, CaseIterable {
    case small  // 小型
    case medium  // 中型
    case large  // 大型
    case huge  // 特大型
}

/// The risk level a county assigns to a site (风险等级).
public enum RiskLevel: String, Sendable, Hashable, Codable, CaseIterable {
    case low  // 低
    case medium  // 中
    case high  // 高
    case veryHigh = "very_high"  // 极高
}

/// A coordinate exactly as the register wrote it, with its CRS.
///
/// Geographic CRSs are written longitude and latitude. Projected Chinese survey coordinates are written
/// X (northing) then Y (easting, with the zone prefix when the CRS is a prefixed Gauss-Krüger zone).
public enum GivenCoordinate: Sendable, Hashable, Codable, CustomStringConvertible {
    case lonLat(lon: Double, lat: Double, crs: String)
    case surveyXY(x: Double, y: Double, crs: String)

    public var crs: String {
        switch self {
        case .lonLat(_, _, let crs), .surveyXY(_, _, let crs): return crs
        }
    }

    /// The coordinate in HazardMon's axis order: lon/lat, or easting/northing.
    public var normalized: Coordinate2D {
        switch self {
        case .lonLat(let lon, let lat, _): return Coordinate2D(x: lon, y: lat)
        case .surveyXY(let x, let y, _): return Coordinate2D(x: y, y: x)
        }
    }

    public var description: String {
        switch self {
        case .lonLat(let lon, let lat, let crs): return "lon \(lon) lat \(lat) (\(crs))"
        case .surveyXY(let x, let y, let crs): return "X \(x) Y \(y) (\(crs))"
        }
    }
}

/// A person responsible for a site: the monitor (监测员) or another contact.
public struct Contact: Sendable, Hashable, Codable {
    public var name: String
    public var phone: String?

    public init(name: String, phone: String? = nil) {
        self.name = name
        self.phone = phone
    }
}

/// The shelter (避险点) people go to when told to evacuate.
public struct Shelter: Sendable, Hashable, Codable {
    public var name: String
    /// CGCS2000 longitude/latitude.
    public var lonLat: Coordinate2D
    /// Metric coordinates in the county's working CRS.
    public var metric: Coordinate2D
    public var capacity: Int?

    public init(name: String, lonLat: Coordinate2D, metric: Coordinate2D, capacity: Int? = nil) {
        self.name = name
        self.lonLat = lonLat
        self.metric = metric
        self.capacity = capacity
    }
}

/// Fields only a geohazard point has.
public struct GeohazardDetails: Sendable, Hashable, Codable {
    public var hazardType: HazardType
    /// Volume in 10⁴ m³ (万方), as registers state it.
    public var volumeWanM3: Double?
    /// Stability as assessed (稳定性), free text such as "欠稳定".
    public var stability: String?

    public init(hazardType: HazardType, volumeWanM3: Double? = nil, stability: String? = nil) {
        self.hazardType = hazardType
        self.volumeWanM3 = volumeWanM3
        self.stability = stability
    }
}

/// Fields only a flash-flood point has.
public struct FlashFloodDetails: Sendable, Hashable, Codable {
    /// The river or gully (河流/沟道).
    public var river: String
    /// The control section (控制断面) the warning refers to.
    public var section: String?
    /// Catchment area above the section, km².
    public var catchmentKm2: Double?
    /// Code of the rain station (雨量站) the warning uses.
    public var rainStation: String?
    /// Code of the water-level station (水位站) the warning uses.
    public var waterLevelStation: String?

    public init(
        river: String, section: String? = nil, catchmentKm2: Double? = nil,
        rainStation: String? = nil, waterLevelStation: String? = nil
    ) {
        self.river = river
        self.section = section
        self.catchmentKm2 = catchmentKm2
        self.rainStation = rainStation
        self.waterLevelStation = waterLevelStation
    }
}

/// Fields only a dangerous-rock site has.
public struct DangerousRockDetails: Sendable, Hashable, Codable {
    /// Volume of the unstable mass, m³.
    public var volumeM3: Double?
    /// Height of the rock above the slope toe, m.
    public var heightM: Double?
    /// Failure mode (破坏模式): toppling 倾倒, sliding 滑移, falling 坠落.
    public var failureMode: String?

    public init(volumeM3: Double? = nil, heightM: Double? = nil, failureMode: String? = nil) {
        self.volumeM3 = volumeM3
        self.heightM = heightM
        self.failureMode = failureMode
    }
}

/// The kind-specific part of a site.
public enum SiteDetails: Sendable, Hashable, Codable {
    case geohazard(GeohazardDetails)
    case flashFlood(FlashFloodDetails)
    case dangerousRock(DangerousRockDetails)

    public var kind: SiteKind {
        switch self {
        case .geohazard: return .geohazard
        case .flashFlood: return .flashFlood
        case .dangerousRock: return .dangerousRock
        }
    }
}

/// One monitored site, as stored: the register's fields plus the three coordinate forms.
public struct Site: Sendable, Hashable, Codable, Identifiable {
    /// The unified code (统一编号), unique in the county.
    public var code: String
    public var name: String
    /// The township (乡镇) name.
    public var township: String
    /// The 12-digit administrative code of the village (行政村) the site belongs to.
    public var villageCode: String
    /// The coordinate as the register gave it.
    public var given: GivenCoordinate
    /// Canonical CGCS2000 (EPSG:4490) longitude/latitude.
    public var lonLat: Coordinate2D
    /// Easting/northing in the county's working CRS; distances use these.
    public var metric: Coordinate2D
    /// Elevation in metres.
    public var elevation: Double?
    public var scale: SiteScale?
    public var threatenedHouseholds: Int
    public var threatenedPeople: Int
    /// Threatened property in 10⁴ yuan (万元).
    public var threatenedPropertyWanYuan: Double?
    public var riskLevel: RiskLevel?
    public var shelter: Shelter?
    public var evacuationRoute: String?
    public var monitor: Contact?
    public var details: SiteDetails
    public var points: [MonitoringPoint]

    public var id: String { self.code }
    public var kind: SiteKind { self.details.kind }

    public init(
        code: String, name: String, township: String, villageCode: String, given: GivenCoordinate,
        lonLat: Coordinate2D, metric: Coordinate2D, elevation: Double? = nil, scale: SiteScale? = nil,
        threatenedHouseholds: Int = 0, threatenedPeople: Int = 0, threatenedPropertyWanYuan: Double? = nil,
        riskLevel: RiskLevel? = nil, shelter: Shelter? = nil, evacuationRoute: String? = nil,
        monitor: Contact? = nil, details: SiteDetails, points: [MonitoringPoint] = []
    ) {
        self.code = code
        self.name = name
        self.township = township
        self.villageCode = villageCode
        self.given = given
        self.lonLat = lonLat
        self.metric = metric
        self.elevation = elevation
        self.scale = scale
        self.threatenedHouseholds = threatenedHouseholds
        self.threatenedPeople = threatenedPeople
        self.threatenedPropertyWanYuan = threatenedPropertyWanYuan
        self.riskLevel = riskLevel
        self.shelter = shelter
        self.evacuationRoute = evacuationRoute
        self.monitor = monitor
        self.details = details
        self.points = points
    }
}
