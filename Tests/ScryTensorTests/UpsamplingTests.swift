import XCTest
@testable import ScryTensor

/// Expected values are PyTorch's F.interpolate on the same inputs (quoted).
final class UpsamplingTests: XCTestCase {
    let x = try! Tensor([[[[1.0, 2.0], [3.0, 4.0]]]])  // [1, 1, 2, 2]

    func testNearest() throws {
        let y = try Tensor.upsample(x, scale: [2])
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.scalars(), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        XCTAssertEqual(try Tensor.upsample(Tensor([[[0.0, 1.0, 2.0, 3.0, 4.0]]]), size: [3]).scalars(), [0, 1, 3])
    }

    func testBilinearHalfPixelAndAlignCorners() throws {
        // F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        assertClose(try Tensor.upsample(x, scale: [2], mode: .linear), try Tensor([[[[1.0, 1.25, 1.75, 2.0], [1.5, 1.75, 2.25, 2.5],
                                                                                       [2.5, 2.75, 3.25, 3.5], [3.0, 3.25, 3.75, 4.0]]]]))
        // align_corners=True, size 3
        assertClose(try Tensor.upsample(x, size: [3], mode: .linear, alignCorners: true),
                    try Tensor([[[[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]]]))
        // Downsampling by linear interpolation: [0, 1, 2, 3] to 2 → [0.5, 2.5].
        assertClose(try Tensor.upsample(Tensor([[[0.0, 1.0, 2.0, 3.0]]]), size: [2], mode: .linear), try Tensor([[[0.5, 2.5]]]))
    }

    func testTrilinearKeepsConstantsAndShapes() throws {
        let v = try Tensor.full([1, 2, 2, 3, 2], 7)
        let y = try Tensor.upsample(v, size: [4, 5, 3], mode: .linear)
        XCTAssertEqual(y.shape, [1, 2, 4, 5, 3])
        assertClose(y, try Tensor.full([1, 2, 4, 5, 3], 7))
    }

    func testGradients() throws {
        try checkGradients([try sample([1, 2, 3, 2], seed: 1)]) { try Tensor.upsample($0[0], size: [5, 4], mode: .linear) }
        try checkGradients([try sample([1, 1, 2, 3, 2], seed: 2)]) { try Tensor.upsample($0[0], scale: [2], mode: .linear, alignCorners: true) }
        try checkGradients([try sample([1, 2, 3, 3], seed: 3)]) { try Tensor.upsample($0[0], scale: [2]) }
    }

    func testErrors() {
        assertTensorError("upsample", "size or a scale") { try Tensor.upsample(self.x) }
        assertTensorError("upsample", "must have one positive value") { try Tensor.upsample(self.x, size: [0]) }
        assertTensorError("upsample", "1 to 3 spatial axes") { try Tensor.upsample(Tensor.zeros([3]), size: [2]) }
    }
}
