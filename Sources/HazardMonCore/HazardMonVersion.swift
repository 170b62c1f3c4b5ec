// SPDX-License-Identifier: Apache-2.0

/// The version of this HazardMon build: the one place it is written.
///
/// `hazardmon --version` prints ``current``; the daemon logs it when it starts.
public enum HazardMonVersion {
    /// Semantic version of the release this source tree is.
    public static let current = "0.8.0"
}
