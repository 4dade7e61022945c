import Dispatch
import Foundation

func runCurve() throws {
    let context = try Context()
    let serverKeys = try CurveKeyPair.generate()
    let clientKeys = try CurveKeyPair.generate()
    let handler = try ZAPHandler(context: context) { request in
        request.publicKey == clientKeys.publicKey ? .allow(userID: "agency:iom") : .deny(reason: "unknown")
    }
    let server = try context.makeSocket(.pull)
    try server.set(.curveServer(true))
    try server.set(.curveSecretKey(serverKeys.secretKey))
    try server.bind("tcp://127.0.0.1:*")
    let client = try context.makeSocket(.push)
    try client.set(.curveServerKey(serverKeys.publicKey))
    try client.set(.curvePublicKey(clientKeys.publicKey))
    try client.set(.curveSecretKey(clientKeys.secretKey))
    try client.connect(try server.lastEndpoint())
    try server.set(.receiveTimeout(milliseconds: 10_000))
    for index in 0..<100 {
        try client.send([Array("curve".utf8), withUnsafeBytes(of: index) { Array($0) }])
        guard let message = try server.receive() else { print("curve timeout"); break }
        if index == 99 { print("curve user id \(message.userID ?? "-")") }
    }
    handler.stop()

    let pull = try context.makeSocket(.pull)
    try pull.bind("inproc://blocked")
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        do { _ = try pull.receive() } catch { print("blocked receive ended: \(error)") }
        pull.close()
        done.signal()
    }
    thread.start()
    context.shutdown()
    _ = done.wait(timeout: .now() + .seconds(10))
}
