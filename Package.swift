// swift-tools-version: 6.0
// Scry: an interactive deep-learning environment for medical imaging.
// Layers, lowest first (a module imports only those below it):
//   1. system libraries: CBLAS (OpenBLAS), CNifti (libnifti), CGD (libgd), CPNG (libpng),
//      CFFTW (FFTW), CEdit (libedit)
//   2. ScryTensor: tensors and reverse-mode autodiff
//   3. ScryNN: layers, modules, losses, optimizers, schedules
//   4. ScryData: medical images (NIfTI through libnifti, 2D images), datasets
//      ScryVision: pictures (RGB rasters, PNG through libgd)
//   5. ScryLang: the Scry language (lexer, parser, compiler to closures, interpreter), which
//      knows nothing of tensors
//   6. ScryRuntime: binds the tensor library (and later layers) into the language
//   7. ScryNotebook: Jupyter notebooks (nbformat 4.5) read and written as Jupyter does
//   8. ScryShell: the interactive shell (libedit); scry: the executable; ScryBench: the
//      benchmark runner behind `make bench`
import PackageDescription

/// libnifti's header includes <znzlib.h>, which lives beside it; every target that imports
/// ScryData (directly or through another module) loads that header too.
let niftiHeaders: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I/usr/include/nifti"])]

/// Release kernels: no overflow or bounds checks in hot loops, and code generated for the CPU
/// that builds them (Scry is always built where it runs), so element-wise loops use its widest
/// vector instructions, as NumPy's and PyTorch's run-time dispatch does.
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release)),
]

let package = Package(
    name: "Scry",
    products: [
        .executable(name: "scry", targets: ["scry"]),
        .library(name: "ScryTensor", targets: ["ScryTensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNifti", providers: [.apt(["libnifti-dev"])]),
        .systemLibrary(name: "CGD", pkgConfig: "gdlib", providers: [.apt(["libgd-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),

        .target(name: "ScryTensor", dependencies: ["CBLAS"], swiftSettings: kernelSettings),

        .target(name: "ScryLang", swiftSettings: kernelSettings),

        .target(name: "ScryNN", dependencies: ["ScryTensor"], swiftSettings: kernelSettings),
        .target(name: "ScryVision", dependencies: ["ScryTensor", "CGD"]),
        .target(name: "ScryData", dependencies: ["ScryTensor", "CNifti", "CGD", "CPNG", "CFFTW"], swiftSettings: niftiHeaders + kernelSettings),
        .target(name: "ScryRuntime", dependencies: ["ScryTensor", "ScryNN", "ScryData", "ScryVision", "ScryLang",
                                                    .product(name: "Yams", package: "Yams")],
                swiftSettings: niftiHeaders),
        .target(name: "ScryNotebook", dependencies: ["ScryLang", "ScryRuntime", "ScryTensor", "CGD"], swiftSettings: niftiHeaders),
        // libedit's readline layer is a set of C globals: Swift 5 mode lets the shell use them.
        .target(name: "ScryShell", dependencies: ["ScryLang", "ScryRuntime", "ScryNotebook", "CEdit"],
                swiftSettings: [.swiftLanguageMode(.v5)] + niftiHeaders),

        .executableTarget(name: "scry", dependencies: [
            "ScryTensor", "ScryLang", "ScryRuntime", "ScryNotebook", "ScryShell",
            .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Yams", package: "Yams"),
        ], swiftSettings: niftiHeaders),
        .executableTarget(name: "ScryBench", dependencies: ["ScryTensor", "ScryNN", "ScryData", "ScryLang", "ScryRuntime", "CBLAS"],
                         path: "bench/Sources", swiftSettings: niftiHeaders),

        .testTarget(name: "ScryTensorTests", dependencies: ["ScryTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "ScryLangTests", dependencies: ["ScryLang", "ScryRuntime"], exclude: ["Golden"], swiftSettings: niftiHeaders),
        .testTarget(name: "ScryCLITests", dependencies: ["scry"], swiftSettings: niftiHeaders),
        .testTarget(name: "ScryShellTests", dependencies: ["ScryShell", "ScryLang", "ScryNotebook"], swiftSettings: niftiHeaders),
        .testTarget(name: "ScryNotebookTests", dependencies: ["ScryNotebook", "ScryLang"], exclude: ["Fixtures"], swiftSettings: niftiHeaders),
        .testTarget(name: "ScryNNTests", dependencies: ["ScryNN", "ScryTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "ScryDataTests", dependencies: ["ScryData", "ScryNN", "ScryTensor"], exclude: ["Fixtures"],
                    swiftSettings: niftiHeaders),
        .testTarget(name: "ScryZooTests", dependencies: ["ScryRuntime", "ScryLang", "ScryTensor"], exclude: ["Fixtures"],
                    swiftSettings: niftiHeaders),
        .testTarget(name: "ScrySaliencyTests", dependencies: ["ScryRuntime", "ScryLang", "ScryNN", "ScryTensor"],
                    exclude: ["Fixtures"], swiftSettings: niftiHeaders),
        .testTarget(name: "ScryTrainTests", dependencies: ["ScryRuntime", "ScryLang", "ScryNN", "ScryData", "ScryTensor"],
                    exclude: ["Fixtures"], swiftSettings: niftiHeaders),
        .testTarget(name: "ScryVisionTests", dependencies: ["ScryVision", "ScryTensor"]),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CBLAS", "CNifti", "CGD", "CEdit"],
                    swiftSettings: niftiHeaders),
    ]
)
