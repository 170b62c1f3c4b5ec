// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One SQLite value of any of its five storage classes.
///
/// Used to bind a list of arguments built at run time (``Statement/bind(_:)``) and to read a column of
/// unknown type (``Statement/value(at:)``).
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}
