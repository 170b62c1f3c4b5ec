// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// The columns of every register file, as documented in `sites/README.md`.
enum RegisterSchemas {
    static let villages = TableSchema([
        .required("code", "村代码"),
        .required("name", "村名"),
        .required("township", "乡镇"),
    ])

    /// Columns every site kind has.
    static let common: [TableSchema.Column] = [
        .required("code", "统一编号"),
        .required("name", "名称"),
        .required("township", "乡镇"),
        .required("village_code", "村代码"),
        .required("crs", "坐标系"),
        .optional("lon", "经度"),
        .optional("lat", "纬度"),
        .optional("x"),
        .optional("y"),
        .optional("elevation", "高程"),
        .optional("scale", "规模"),
        .optional("households", "威胁户数"),
        .optional("people", "威胁人数"),
        .optional("property", "威胁财产"),
        .optional("risk_level", "风险等级"),
        .optional("shelter_name", "避险点"),
        .optional("shelter_lon", "避险点经度"),
        .optional("shelter_lat", "避险点纬度"),
        .optional("shelter_capacity", "避险点容量"),
        .optional("evacuation_route", "撤离路线"),
        .optional("monitor_name", "监测员"),
        .optional("monitor_phone", "监测员电话"),
    ]

    static func sites(_ kind: SiteKind) -> TableSchema {
        switch kind {
        case .geohazard:
            return TableSchema(
                Self.common + [.required("hazard_type", "灾种"), .optional("volume", "体积"), .optional("stability", "稳定性")]
            )
        case .flashFlood:
            return TableSchema(
                Self.common + [
                    .required("river", "河流"), .optional("section", "控制断面"), .optional("catchment_km2", "集雨面积"),
                    .optional("rain_station", "雨量站"), .optional("water_level_station", "水位站"),
                ]
            )
        case .dangerousRock:
            return TableSchema(
                Self.common + [
                    .optional("volume_m3", "体积"), .optional("height_m", "高度"), .optional("failure_mode", "破坏模式"),
                ]
            )
        }
    }

    /// GeoJSON properties: the CSV columns minus the coordinate ones, which the geometry carries.
    static func geoJSONSites(_ kind: SiteKind) -> TableSchema {
        let coordinateColumns: Set<String> = ["crs", "lon", "lat", "x", "y"]
        return TableSchema(Self.sites(kind).columns.filter { !coordinateColumns.contains($0.name) })
    }

    static let devices = TableSchema([
        .required("site_code", "统一编号"),
        .required("point_code", "监测点编号"),
        .required("point_name", "监测点名称"),
        .optional("point_lon", "监测点经度"),
        .optional("point_lat", "监测点纬度"),
        .required("device_id", "设备编号"),
        .optional("device_model", "设备型号"),
        .required("channel", "通道"),
        .required("kind", "类型"),
        .required("unit", "单位"),
        .required("interval_s", "上报间隔"),
        .required("min", "下限"),
        .required("max", "上限"),
    ])
}
