// SPDX-License-Identifier: Apache-2.0

/// A site's stored JSON document, written by hand.
///
/// The text is exactly what `JSONEncoder` with `.sortedKeys` makes of the synthesized `Codable`
/// conformance (keys sorted, nil optionals left out, enums with associated values as
/// `{"case":{"label":…}}`), so `JSONDecoder` reads it back into an equal `Site`. Writing it by hand is
/// about twenty times faster than `JSONEncoder`, which was most of a 100,000-site import.
///
/// The text is canonical: equal sites give equal text, so a re-import compares documents instead of
/// decoding every stored site. Numbers use Swift's shortest round-trip form, so different values give
/// different text.
extension Site {
    /// The document, or nil when a number in the site is not finite (JSON has no NaN or infinity).
    public var document: String? {
        var writer = JSONTextWriter()
        writer.object { w in
            w.key("code") { $0.string(self.code) }
            w.key("details") { $0.details(self.details) }
            w.key("elevation", self.elevation) { $0.number($1) }
            w.key("evacuationRoute", self.evacuationRoute) { $0.string($1) }
            w.key("given") { $0.given(self.given) }
            w.key("lonLat") { $0.coordinate(self.lonLat) }
            w.key("metric") { $0.coordinate(self.metric) }
            w.key("monitor", self.monitor) { w, monitor in
                w.object { w in
                    w.key("name") { $0.string(monitor.name) }
                    w.key("phone", monitor.phone) { $0.string($1) }
                }
            }
            w.key("name") { $0.string(self.name) }
            w.key("points") { w in w.array(self.points) { $0.point($1) } }
            w.key("riskLevel", self.riskLevel) { $0.string($1.rawValue) }
            w.key("scale", self.scale) { $0.string($1.rawValue) }
            w.key("shelter", self.shelter) { w, shelter in
                w.object { w in
                    w.key("capacity", shelter.capacity) { $0.integer($1) }
                    w.key("lonLat") { $0.coordinate(shelter.lonLat) }
                    w.key("metric") { $0.coordinate(shelter.metric) }
                    w.key("name") { $0.string(shelter.name) }
                }
            }
            w.key("threatenedHouseholds") { $0.integer(self.threatenedHouseholds) }
            w.key("threatenedPeople") { $0.integer(self.threatenedPeople) }
            w.key("threatenedPropertyWanYuan", self.threatenedPropertyWanYuan) { $0.number($1) }
            w.key("township") { $0.string(self.township) }
            w.key("villageCode") { $0.string(self.villageCode) }
        }
        return writer.failed ? nil : writer.text
    }
}

extension JSONTextWriter {
    mutating func coordinate(_ value: Coordinate2D) {
        self.object { w in
            w.key("x") { $0.number(value.x) }
            w.key("y") { $0.number(value.y) }
        }
    }

    mutating func given(_ value: GivenCoordinate) {
        self.object { w in
            switch value {
            case .lonLat(let lon, let lat, let crs):
                w.key("lonLat") { w in
                    w.object { w in
                        w.key("crs") { $0.string(crs) }
                        w.key("lat") { $0.number(lat) }
                        w.key("lon") { $0.number(lon) }
                    }
                }
            case .surveyXY(let x, let y, let crs):
                w.key("surveyXY") { w in
                    w.object { w in
                        w.key("crs") { $0.string(crs) }
                        w.key("x") { $0.number(x) }
                        w.key("y") { $0.number(y) }
                    }
                }
            }
        }
    }

    mutating func details(_ value: SiteDetails) {
        self.object { w in
            switch value {
            case .geohazard(let details):
                w.key("geohazard") { w in
                    w.object { w in
                        w.key("_0") { w in
                            w.object { w in
                                w.key("hazardType") { $0.string(details.hazardType.rawValue) }
                                w.key("stability", details.stability) { $0.string($1) }
                                w.key("volumeWanM3", details.volumeWanM3) { $0.number($1) }
                            }
                        }
                    }
                }
            case .flashFlood(let details):
                w.key("flashFlood") { w in
                    w.object { w in
                        w.key("_0") { w in
                            w.object { w in
                                w.key("catchmentKm2", details.catchmentKm2) { $0.number($1) }
                                w.key("rainStation", details.rainStation) { $0.string($1) }
                                w.key("river") { $0.string(details.river) }
                                w.key("section", details.section) { $0.string($1) }
                                w.key("waterLevelStation", details.waterLevelStation) { $0.string($1) }
                            }
                        }
                    }
                }
            case .dangerousRock(let details):
                w.key("dangerousRock") { w in
                    w.object { w in
                        w.key("_0") { w in
                            w.object { w in
                                w.key("failureMode", details.failureMode) { $0.string($1) }
                                w.key("heightM", details.heightM) { $0.number($1) }
                                w.key("volumeM3", details.volumeM3) { $0.number($1) }
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func point(_ point: MonitoringPoint) {
        self.object { w in
            w.key("code") { $0.string(point.code) }
            w.key("devices") { w in
                w.array(point.devices) { w, device in
                    w.object { w in
                        w.key("channels") { w in
                            w.array(device.channels) { w, channel in
                                w.object { w in
                                    w.key("code") { $0.string(channel.code) }
                                    w.key("intervalSeconds") { $0.integer(channel.intervalSeconds) }
                                    w.key("kind") { $0.string(channel.kind.rawValue) }
                                    w.key("unit") { $0.string(channel.unit) }
                                    w.key("validMax") { $0.number(channel.validMax) }
                                    w.key("validMin") { $0.number(channel.validMin) }
                                }
                            }
                        }
                        w.key("id") { $0.string(device.id) }
                        w.key("model", device.model) { $0.string($1) }
                    }
                }
            }
            w.key("lonLat", point.lonLat) { $0.coordinate($1) }
            w.key("name") { $0.string(point.name) }
        }
    }
}
