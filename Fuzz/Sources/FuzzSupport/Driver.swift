import CLibFuzzer

/// A fuzz target's entry point: what libFuzzer calls with each input.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Hands the process to libFuzzer (its flags are read from the command line).
/// SwiftPM defines `main` as the executable's top-level code, so libFuzzer's
/// own `main` is not linked in; this is its replacement.
public func runLibFuzzer(_ target: FuzzTarget) -> CInt {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    return LLVMFuzzerRunDriver(&argc, &argv, target)
}
