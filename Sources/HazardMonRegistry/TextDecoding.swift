// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The text encodings a county's spreadsheet export arrives in.
public enum TextEncoding: String, Sendable, Hashable {
    case utf8 = "UTF-8"
    case utf8WithBOM = "UTF-8 with BOM"
    case gb18030 = "GB18030"

    /// Foundation's GB18030-2000 encoding (`kCFStringEncodingGB_18030_2000` as an NSString encoding).
    static let foundationGB18030 = String.Encoding(rawValue: 0x8000_0632)

    /// Decodes file bytes: UTF-8 (a leading byte-order mark is removed), else GB18030, else nil.
    ///
    /// Valid UTF-8 is tried first because GB18030 accepts almost any byte sequence, so the reverse order
    /// would misread UTF-8 files. Chinese text in GB18030 is practically never valid UTF-8.
    public static func decode(_ data: Data) -> (text: String, encoding: TextEncoding)? {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if data.starts(with: bom) {
            guard let text = String(validating: data.dropFirst(3), as: UTF8.self) else { return nil }
            return (text, .utf8WithBOM)
        }
        if let text = String(validating: data, as: UTF8.self) {
            return (text, .utf8)
        }
        if let text = String(data: data, encoding: Self.foundationGB18030) {
            return (text, .gb18030)
        }
        return nil
    }

    /// Encodes text in this encoding (used by tests and by CSV export for Excel users).
    public func encode(_ text: String) -> Data? {
        switch self {
        case .utf8: return Data(text.utf8)
        case .utf8WithBOM: return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        case .gb18030: return text.data(using: Self.foundationGB18030)
        }
    }
}
