// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One SQLite value of any of its five storage classes.
///
/// Used to bind a list of arguments built at run time (``Statement/bind(_:)``) and to read a column of
/// unknown type (``Statement/value(at:)``).
public enum SQLiteValue: Sendable, Hashable {
    /// `NULL`.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double (SQLite stores a NaN as `NULL`).
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes.
    case blob(Data)
}
