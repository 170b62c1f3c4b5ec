// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// A site row whose fields are valid on their own, before cross-checks and projection.
struct SiteDraft {
    var file: String
    var location: RegistryIssue.Location
    var code: String
    var name: String
    var township: String
    var villageCode: String
    var given: GivenCoordinate
    var elevation: Double?
    var scale: SiteScale?
    var households: Int
    var people: Int
    var property: Double?
    var riskLevel: RiskLevel?
    var shelterName: String?
    var shelterLonLat: Coordinate2D?
    var shelterCapacity: Int?
    var evacuationRoute: String?
    var monitor: Contact?
    var details: SiteDetails

    /// The site once its coordinates are projected.
    func site(lonLat: Coordinate2D, metric: Coordinate2D, shelterMetric: Coordinate2D?) -> Site {
        var shelter: Shelter?
        if let name = self.shelterName, let lonLat = self.shelterLonLat, let metric = shelterMetric {
            shelter = Shelter(name: name, lonLat: lonLat, metric: metric, capacity: self.shelterCapacity)
        }
        return Site(
            code: self.code, name: self.name, township: self.township, villageCode: self.villageCode,
            given: self.given, lonLat: lonLat, metric: metric, elevation: self.elevation, scale: self.scale,
            threatenedHouseholds: self.households, threatenedPeople: self.people,
            threatenedPropertyWanYuan: self.property, riskLevel: self.riskLevel, shelter: shelter,
            evacuationRoute: self.evacuationRoute, monitor: self.monitor, details: self.details
        )
    }
}

/// The words a register may use for each enumeration: the English key or the Chinese name.
enum RegisterVocabulary {
    static let scale: [String: SiteScale] = [
        "small": .small, "medium": .medium, "large": .large, "huge": .huge,
        "小型": .small, "中型": .medium, "大型": .large, "特大型": .huge,
    ]
    static let riskLevel: [String: RiskLevel] = [
        "low": .low, "medium": .medium, "high": .high, "very_high": .veryHigh,
        "低": .low, "中": .medium, "高": .high, "极高": .veryHigh,
        "低风险": .low, "中风险": .medium, "高风险": .high, "极高风险": .veryHigh,
    ]
    static let hazardType: [String: HazardType] = [
        "landslide": .landslide, "collapse": .collapse, "debris_flow": .debrisFlow, "subsidence": .subsidence,
        "滑坡": .landslide, "崩塌": .collapse, "泥石流": .debrisFlow, "地面塌陷": .subsidence,
    ]
    static let sensorKind: [String: SensorKind] = Dictionary(
        uniqueKeysWithValues: SensorKind.allCases.map { ($0.rawValue, $0) }
    )
}

extension FieldReader {
    /// Reads one site row. Returns nil (with issues logged) when any field is bad.
    mutating func siteDraft(kind: SiteKind, coordinatesFromGeometry: GivenCoordinate? = nil) -> SiteDraft? {
        let before = self.issues.issues.count
        let code = self.requiredText("code")
        if let code, code.contains(where: \.isWhitespace) {
            self.fail("code", "'\(code)' contains white space")
        }
        let name = self.requiredText("name")
        let township = self.requiredText("township")
        let villageCode = self.requiredText("village_code")
        if let villageCode, !Self.isVillageCode(villageCode) {
            self.fail("village_code", "'\(villageCode)' is not a 12-digit village code")
        }
        let given = coordinatesFromGeometry ?? self.givenCoordinate()
        let elevation = self.number("elevation", in: -500...9000)
        let scale = self.choice("scale", RegisterVocabulary.scale)
        let households = self.integer("households", in: 0...1_000_000) ?? 0
        let people = self.integer("people", in: 0...10_000_000) ?? 0
        let property = self.number("property", in: 0...1e9)
        let riskLevel = self.choice("risk_level", RegisterVocabulary.riskLevel)
        let (shelterName, shelterLonLat, shelterCapacity) = self.shelter()
        let monitor = self.monitor()
        let details = self.details(kind)

        guard self.issues.issues.count == before, let code, let name, let township, let villageCode, let given,
            let details
        else { return nil }
        return SiteDraft(
            file: self.file, location: self.row.location, code: code, name: name, township: township,
            villageCode: villageCode, given: given, elevation: elevation, scale: scale, households: households,
            people: people, property: property, riskLevel: riskLevel, shelterName: shelterName,
            shelterLonLat: shelterLonLat, shelterCapacity: shelterCapacity,
            evacuationRoute: self.text("evacuation_route"), monitor: monitor, details: details
        )
    }

    static func isVillageCode(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// lon/lat for geographic CRSs, survey x/y for projected ones; which CRS is which is checked later.
    private mutating func givenCoordinate() -> GivenCoordinate? {
        guard let crs = self.requiredText("crs") else { return nil }
        let hasLonLat = self.row["lon"] != nil || self.row["lat"] != nil
        let hasXY = self.row["x"] != nil || self.row["y"] != nil
        switch (hasLonLat, hasXY) {
        case (true, true):
            self.fail("lon", "give lon/lat (geographic CRS) or x/y (projected CRS), not both")
            return nil
        case (false, false):
            self.fail("lon", "no coordinates: give lon and lat (geographic CRS) or x and y (projected CRS)")
            return nil
        case (true, false):
            let (lon, lat) = self.lonLat("lon", "lat", required: true)
            guard let lon, let lat else { return nil }
            return .lonLat(lon: lon, lat: lat, crs: crs)
        case (false, true):
            let x = self.number("x", required: true)
            let y = self.number("y", required: true)
            guard let x, let y else { return nil }
            return .surveyXY(x: x, y: y, crs: crs)
        }
    }

    private mutating func shelter() -> (String?, Coordinate2D?, Int?) {
        let name = self.text("shelter_name")
        let (lon, lat) = self.lonLat("shelter_lon", "shelter_lat", required: name != nil)
        let capacity = self.integer("shelter_capacity", in: 0...1_000_000)
        if name == nil, lon != nil || lat != nil || capacity != nil {
            self.fail("shelter_name", "required when shelter coordinates or capacity are given")
        }
        guard let lon, let lat else { return (name, nil, capacity) }
        return (name, Coordinate2D(lon: lon, lat: lat), capacity)
    }

    private mutating func monitor() -> Contact? {
        let phone = self.text("monitor_phone")
        if let phone, !Self.isPhoneNumber(phone) {
            self.fail("monitor_phone", "'\(phone)' is not a phone number")
        }
        guard let name = self.text("monitor_name") else {
            if phone != nil { self.fail("monitor_name", "required when monitor_phone is given") }
            return nil
        }
        return Contact(name: name, phone: phone)
    }

    /// Digits with optional `+`, `-` and spaces, 5 to 20 digits: mobiles, landlines with area code, 12345-style hotlines.
    static func isPhoneNumber(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber).count
        return (5...20).contains(digits) && text.allSatisfy { $0.isASCII && ($0.isNumber || "+- ".contains($0)) }
    }

    private mutating func details(_ kind: SiteKind) -> SiteDetails? {
        switch kind {
        case .geohazard:
            let hazardType = self.choice("hazard_type", RegisterVocabulary.hazardType, required: true)
            let volume = self.number("volume", in: 0...1e7)
            guard let hazardType else { return nil }
            return .geohazard(GeohazardDetails(hazardType: hazardType, volumeWanM3: volume, stability: self.text("stability")))
        case .flashFlood:
            let river = self.requiredText("river")
            let catchment = self.number("catchment_km2", in: 0...1e6)
            guard let river else { return nil }
            return .flashFlood(
                FlashFloodDetails(
                    river: river, section: self.text("section"), catchmentKm2: catchment,
                    rainStation: self.text("rain_station"), waterLevelStation: self.text("water_level_station")
                )
            )
        case .dangerousRock:
            let volume = self.number("volume_m3", in: 0...1e9)
            let height = self.number("height_m", in: 0...3000)
            return .dangerousRock(DangerousRockDetails(volumeM3: volume, heightM: height, failureMode: self.text("failure_mode")))
        }
    }
}
