// SPDX-License-Identifier: Apache-2.0

/// What a sensor channel measures. Raw values are the CGS device-protocol field codes' quantities
/// (`domain.md` §2) in the units named by ``defaultUnit``.
public enum SensorKind: String, Sendable, Hashable, Codable, CaseIterable {
    case rain  // 雨量 mm (L3_YL)
    case waterLevel = "water_level"  // 水位 m (L3_DB)
    case mudLevel = "mud_level"  // 泥位 m (L4_NW)
    case crack  // 裂缝 mm, cumulative opening (L1_LF)
    case gnss  // GNSS displacement mm, X/Y/Z (L1_GP)
    case tilt  // 倾角 ° (L1_QJ)
    case deepDisplacement = "deep_displacement"  // 深部位移 mm (L1_SW)
    case acceleration  // 加速度 mg (L1_JS)
    case soilMoisture = "soil_moisture"  // 含水率 % (L3_HS)
    case porePressure = "pore_pressure"  // 孔隙水压力 kPa (L3_SY)
    case groundwater  // 地下水位 m (L3_DX)
    case earthPressure = "earth_pressure"  // 土压力 kPa (L2_TY)
    case vibration  // 振动 Hz / mm (L1_ZD)
    case temperature  // 温度 ℃ (L3_QW)

    /// The unit readings of this kind are stored in.
    public var defaultUnit: String {
        switch self {
        case .rain, .crack, .gnss, .deepDisplacement: return "mm"
        case .waterLevel, .mudLevel, .groundwater: return "m"
        case .tilt: return "°"
        case .acceleration: return "mg"
        case .soilMoisture: return "%"
        case .porePressure, .earthPressure: return "kPa"
        case .vibration: return "Hz"
        case .temperature: return "℃"
        }
    }

    /// The units a register may declare for this kind. Anything else is rejected at import, so that a
    /// threshold in mm is never compared with a value in m.
    public var acceptedUnits: Set<String> {
        switch self {
        case .tilt: return ["°", "deg"]
        case .temperature: return ["℃", "°C", "degC"]
        default: return [self.defaultUnit]
        }
    }
}

/// One channel of a device: one measured quantity with its unit, expected interval and valid range.
public struct Channel: Sendable, Hashable, Codable {
    /// The channel code, unique within its device (e.g. `L3_YL_1` or `rain`).
    public var code: String
    public var kind: SensorKind
    public var unit: String
    /// How often the device is expected to report this channel, in seconds.
    public var intervalSeconds: Int
    /// The physical valid range; readings outside it are rejected at ingestion.
    public var validMin: Double
    public var validMax: Double

    public init(code: String, kind: SensorKind, unit: String, intervalSeconds: Int, validMin: Double, validMax: Double) {
        self.code = code
        self.kind = kind
        self.unit = unit
        self.intervalSeconds = intervalSeconds
        self.validMin = validMin
        self.validMax = validMax
    }
}

/// A field device (rain gauge, crack meter, GNSS receiver, …) with its channels.
public struct Device: Sendable, Hashable, Codable {
    /// The device identifier the device reports with, unique in the county.
    public var id: String
    public var model: String?
    public var channels: [Channel]

    public init(id: String, model: String? = nil, channels: [Channel] = []) {
        self.id = id
        self.model = model
        self.channels = channels
    }
}

/// A monitoring point (监测点) on a site, carrying devices.
public struct MonitoringPoint: Sendable, Hashable, Codable {
    /// The point code, unique within its site.
    public var code: String
    public var name: String
    /// CGCS2000 longitude/latitude of the point, when surveyed.
    public var lonLat: Coordinate2D?
    public var devices: [Device]

    public init(code: String, name: String, lonLat: Coordinate2D? = nil, devices: [Device] = []) {
        self.code = code
        self.name = name
        self.lonLat = lonLat
        self.devices = devices
    }
}

/// A village (行政村) of the county, with its 12-digit administrative code.
public struct Village: Sendable, Hashable, Codable {
    /// 12-digit statistical division code: 6 county + 3 township + 3 village.
    public var code: String
    public var name: String
    public var township: String

    public init(code: String, name: String, township: String) {
        self.code = code
        self.name = name
        self.township = township
    }
}

/// What a county says about itself: its identity, working CRS and extent.
public struct County: Sendable, Hashable, Codable {
    public var name: String
    /// 6-digit GB/T 2260 region code.
    public var regionCode: String
    /// The metric CRS distances and maps use, normally a CGCS2000 Gauss-Krüger zone (e.g. `EPSG:4545`).
    public var workingCRS: String
    /// IANA time zone for messages and pages.
    public var timeZone: String
    /// The longitude/latitude box every site must fall inside.
    public var extent: GeoBox

    public init(name: String, regionCode: String, workingCRS: String, timeZone: String = "Asia/Shanghai", extent: GeoBox) {
        self.name = name
        self.regionCode = regionCode
        self.workingCRS = workingCRS
        self.timeZone = timeZone
        self.extent = extent
    }
}
