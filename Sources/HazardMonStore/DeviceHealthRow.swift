// SPDX-License-Identifier: Apache-2.0

/// A device's status report at one moment: the `S1_ZT_1` block of the device protocol (domain.md §2).
///
/// Keyed by (``deviceID``, ``timestamp``); the device's current status is its report with the latest
/// time stamp (``Store/latestHealth(deviceID:)``). Every measurement is optional because devices leave
/// out what they cannot measure. A NaN is stored as `NULL` and so reads back as nil.
public struct DeviceHealthRow: Sendable, Hashable {
    /// The device as it identifies itself (``ChannelRecord/deviceID``).
    public var deviceID: String
    /// When the device took the status: milliseconds since the Unix epoch, UTC.
    public var timestamp: Int64
    /// Battery charge left in % (`battery_dump_energy`).
    public var batteryPercent: Double?
    /// External supply voltage in V (`ext_power_volt`).
    public var supplyVolt: Double?
    /// Solar panel voltage in V (`solar_volt`).
    public var solarVolt: Double?
    /// Temperature inside the device in ℃ (`temp`).
    public var temperature: Double?
    /// Relative humidity inside the device in % (`humidity`).
    public var humidity: Double?
    /// Radio signal strength as the device reports it (`signal_4g`, `signal_NB` or `signal_bd`).
    public var signal: Double?
    /// Firmware version (`sw_version`).
    public var firmware: String?
    /// State code of each channel by channel code (`sensor_state`): 0 ok, −1 power fault, −2 data error,
    /// −3 no data. Empty when the device sent none.
    public var sensorState: [String: Int]

    /// A status report of `deviceID` at `timestamp` (ms since the Unix epoch, UTC).
    public init(
        deviceID: String, timestamp: Int64, batteryPercent: Double? = nil, supplyVolt: Double? = nil,
        solarVolt: Double? = nil, temperature: Double? = nil, humidity: Double? = nil, signal: Double? = nil,
        firmware: String? = nil, sensorState: [String: Int] = [:]
    ) {
        self.deviceID = deviceID
        self.timestamp = timestamp
        self.batteryPercent = batteryPercent
        self.supplyVolt = supplyVolt
        self.solarVolt = solarVolt
        self.temperature = temperature
        self.humidity = humidity
        self.signal = signal
        self.firmware = firmware
        self.sensorState = sensorState
    }
}
