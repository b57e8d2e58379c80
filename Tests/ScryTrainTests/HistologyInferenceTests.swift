import Foundation
import XCTest
import ScryData
import ScryLang
@testable import ScryRuntime
import ScryTensor

/// GaNDLF's `modality: histo` inference through a configuration: synthetic slides (white with
/// pink and purple discs) through an untrained U-Net and VGG, each slide's maps written under
/// output/histopathology/<SubjectID>/ with GaNDLF 0.1.4's names and the slide's size; tiles only
/// where there is tissue (none on a blank slide); seg_map is the probability above 0.5;
/// output_predictions.csv lists each kept tile of its own slide; blending follows
/// blending_alpha; other levels than 0 are refused.
final class HistologyInferenceTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("scry-histology")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func write(_ name: String, _ text: String) throws -> String { try writeFile(name, text, in: folder) }

    /// A 160 × 120 slide: white, with discs (centre x, y, radius) in GaNDLF's tissue hues.
    private func slide(_ name: String, discs: [(Int, Int, Int, [Double])]) throws -> String {
        let (width, height) = (160, 120)
        var values = [Double](repeating: 255, count: 3 * width * height)
        for x in 0..<width {
            for y in 0..<height {
                for (cx, cy, r, colour) in discs where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r {
                    for c in 0..<3 { values[(c * width + x) * height + y] = colour[c] }
                }
            }
        }
        let path = folder.appendingPathComponent(name).path
        try PlanarImage.writePNG(try MedicalImage(data: try Tensor(flat: values, shape: [3, width, height])), to: path, low: 0, high: 255)
        return path
    }

    private func session() -> Interpreter {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        interpreter.globals["out"] = .string(folder.path)
        return interpreter
    }

    private func value(_ interpreter: Interpreter, _ expression: String) throws -> String {
        try interpreter.execute(expression, name: "value")?.printed ?? "nil"
    }

    func testWholeSlideInferenceWritesGaNDLFsMaps() throws {
        // The hues of (200, 100, 180), 0.87, and (170, 60, 190), 0.81, lie in GaNDLF's 0.8…0.99.
        let pink = [200.0, 100, 180], purple = [170.0, 60, 190]
        let first = try slide("slide1.png", discs: [(40, 40, 18, pink), (115, 85, 20, purple)])
        let second = try slide("slide2.png", discs: [(60, 60, 25, pink)])
        let blank = try slide("blank.png", discs: [])
        let slides = try write("slides.csv", "SubjectID,Channel_0\nslide1,\(first)\nslide2,\(second)\nblank,\(blank)\n")
        let labelled = try write("labelled.csv", "SubjectID,Channel_0,ValueToPredict\nslide1,\(first),0\nslide2,\(second),1\n")
        let segmentation = try write("seg.yaml", """
            model: {dimension: 2, architecture: unet, final_layer: softmax, base_filters: 4, class_list: [0, 1], norm_type: batch}
            modality: histo
            loss_function: dc
            metrics: [dice]
            patch_size: [32, 32, 1]
            batch_size: 4
            data_preprocessing: {normalize_div_by_255: }

            """)
        let classification = try write("cls.yaml", """
            model: {dimension: 2, architecture: vgg11, final_layer: softmax, base_filters: 4, class_list: [0, 1], norm_type: batch}
            modality: path
            loss_function: cel
            metrics: [accuracy]
            patch_size: [32, 32]
            stride_size: 24
            blending_alpha: 0.25
            batch_size: 4

            """)
        let s = session()
        s.globals["segmentation"] = .string(segmentation)
        s.globals["classification"] = .string(classification)
        s.globals["slides"] = .string(slides)
        s.globals["labelled"] = .string(labelled)
        _ = try s.execute("""
            seed(1)
            for run in [[segmentation, "seg", "segmentation"], [classification, "cls", "classification"]] {
                cfg = read_config(run[0])
                make_dirs(out + "/" + run[1])
                save(gandlf_model(cfg, 3, run[2], [0, 1]), out + "/" + run[1] + "/" + cfg["model"]["architecture"] + "_best.safetensors")
            }
            warnings = read_config(segmentation)["warnings"]
            segmented = gandlf_infer(segmentation, slides, out + "/seg")
            classified = gandlf_infer(classification, labelled, out + "/cls")
            seg = out + "/seg/histopathology/slide1/"
            cls = out + "/cls/histopathology/"
            """, name: "histology")
        XCTAssertEqual(try value(s, "warnings"), "[]", "modality histo is applied")

        var names = ["count_map.png", "seg_map_0.png", "seg_map_1.png"]
        for n in 0..<2 {
            for map in ["jet", "turbo", "agni"] { names += ["probability_map_\(n)_\(map).png", "probability_map_blended_\(n)_\(map).png"] }
        }
        let segFolder = folder.appendingPathComponent("seg/histopathology/slide1")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: segFolder.path).sorted(), names.sorted())
        for name in names { XCTAssertEqual(try value(s, "load(seg + \"\(name)\").shape"), "[160, 120]", name) }
        let clsFolder = folder.appendingPathComponent("cls/histopathology/slide1")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: clsFolder.path).sorted(),
                       (names.filter { !$0.hasPrefix("seg_map") } + ["output_predictions.csv"]).sorted(), "no seg_map for classification")

        // The count map (tiles · 255, 16-bit): 0 in corners no tile with tissue reaches, above 0 on the discs.
        let counts = try PlanarImage.read(segFolder.appendingPathComponent("count_map.png").path).data.scalars()
        func count(_ x: Int, _ y: Int) -> Double { counts[x * 120 + y] }
        XCTAssertEqual([count(150, 10), count(10, 110)], [0, 0])
        XCTAssertGreaterThan(count(40, 40), 0)
        XCTAssertGreaterThan(count(115, 85), 0)
        XCTAssertTrue(counts.allSatisfy { $0.truncatingRemainder(dividingBy: 255) == 0 }, "counts are multiples of 255")
        // seg_map_1 is 255 where the probability (agni's red, ⌊255·p⌋) is above 0.5, 0 where it is below.
        _ = try s.execute("""
            labels = load(seg + "seg_map_1.png").data[0]
            red = load(seg + "probability_map_1_agni.png").data[0]
            """, name: "seg_map")
        XCTAssertEqual(try value(s, "((red >= 128).to(\"float32\") * (labels != 255).to(\"float32\")).sum().item()"), "0.0")
        XCTAssertEqual(try value(s, "((red <= 126).to(\"float32\") * (labels != 0).to(\"float32\")).sum().item()"), "0.0")
        XCTAssertEqual(try value(s, "segmented[0][\"tiles\"] > 0 and segmented[1][\"subject_id\"] == \"slide2\""), "true")
        // A blank slide (read as gray, taken as RGB) has no tissue: no tile, empty maps all the same.
        XCTAssertEqual(try value(s, "[segmented[2][\"tiles\"], load(out + \"/seg/histopathology/blank/count_map.png\").data.max().item()]"), "[0, 0.0]")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("seg/histopathology/blank/seg_map_1.png").path))

        // Classification: one row per kept tile of this slide only, probabilities summing to 1.
        for (index, subject) in ["slide1", "slide2"].enumerated() {
            let csv = try String(contentsOf: folder.appendingPathComponent("cls/histopathology/\(subject)/output_predictions.csv"), encoding: .utf8)
            let rows = csv.split(separator: "\n")
            XCTAssertEqual(rows.first, "SubjectID,x_coords,y_coords,probability_0,probability_1")
            let kept = Int(try value(s, "classified[\(index)][\"tiles\"]"))!
            XCTAssertEqual(rows.count - 1, kept, subject)
            // Stride 24 on 160 × 120: 7 × 5 tiles, of which those touching tissue are kept.
            XCTAssertTrue((1..<35).contains(kept), "\(subject): \(kept) tiles")
            for row in rows.dropFirst() {
                let fields = row.split(separator: ",")
                XCTAssertEqual(fields.first.map(String.init), subject)
                XCTAssertEqual(fields.count, 5)
                XCTAssertEqual(Double(fields[3])! + Double(fields[4])!, 1, accuracy: 1e-5, String(row))
            }
        }
        // Blending with blending_alpha 0.25 where no tile reached (probability 0, jet's (0, 0, 128)):
        // 0.25·255 + 0.75·(0, 0, 128), rounded as OpenCV's addWeighted.
        XCTAssertEqual(try value(s, "load(cls + \"slide1/probability_map_blended_0_jet.png\").data[:, 150, 10].tolist()"), "[64.0, 64.0, 160.0]")

        let levelled = try write("level.yaml", try String(contentsOfFile: segmentation, encoding: .utf8) + "slide_level: 1\n")
        s.globals["levelled"] = .string(levelled)
        XCTAssertThrowsError(try s.execute("gandlf_infer(levelled, slides, out + \"/seg\")", name: "level")) { error in
            let message = (error as? ScryError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("slide_level is 1: Scry reads slides as flat images (PNG, JPEG, TIFF), which have level 0 only"), message)
        }
    }
}
