// SPDX-License-Identifier: Apache-2.0
import CProj

/// The raw owner of one `PJ*` (a CRS or a coordinate operation) made on a ``ProjContext``.
///
/// It holds a strong reference to its context, so `proj_destroy` in `deinit` always runs before
/// `proj_context_destroy` (PROJ objects use their creating context until they are destroyed; georust
/// `Drop for Proj`). Like the context it is not `Sendable` and lives inside the ``Geodesy`` actor.
final class ProjObject {
    let context: ProjContext
    let raw: OpaquePointer

    /// Takes ownership of `raw`, which must have been created on `context`.
    init(context: ProjContext, raw: OpaquePointer) {
        self.context = context
        self.raw = raw
    }

    deinit {
        // `Geodesy.close()` drops every object before closing the context, so the context is open here.
        // If it is not, destroying the PJ would touch freed memory; leaking it is the lesser evil.
        assert(self.context.isOpen, "ProjObject outlived its closed ProjContext")
        if self.context.isOpen {
            proj_destroy(self.raw)
        }
    }

    /// PROJ's type of the object.
    var type: PJ_TYPE { proj_get_type(self.raw) }

    /// Whether the object is a CRS of any kind.
    var isCRS: Bool { proj_is_crs(self.raw) != 0 }
}

@available(*, unavailable)
extension ProjObject: Sendable {}
