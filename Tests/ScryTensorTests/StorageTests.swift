import XCTest
@testable import ScryTensor

final class StorageTests: XCTestCase {
    func testLargeBuffersAreReusedAndStayBounded() throws {
        BufferCache.shared.clear()
        let bytes = 4 << 20
        var first: Storage? = try Storage.allocate(byteCount: bytes)
        let address = first!.base
        first = nil
        let second = try Storage.allocate(byteCount: bytes)
        XCTAssertEqual(second.base, address, "a freed buffer of the same size is handed out again")
        // Small buffers never enter the cache; the cache refuses more than its capacity.
        let small = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        XCTAssertFalse(BufferCache.shared.keep(small, 16))
        small.deallocate()
        var kept: [Storage] = []
        for _ in 0..<(BufferCache.capacityBytes / bytes + 2) { kept.append(try Storage.allocate(byteCount: bytes)) }
        kept.removeAll()  // the overflow beyond capacity is freed, not cached
        XCTAssertNotNil(BufferCache.shared.take(bytes))
        BufferCache.shared.clear()
        XCTAssertNil(BufferCache.shared.take(bytes))
    }

    func testReusedBuffersHoldFreshValues() throws {
        for _ in 0..<3 {
            let x = try Tensor.full([1 << 19], 2)
            XCTAssertEqual(try (x * 3).sum().item(), 6 * Double(1 << 19))
        }
    }
}
