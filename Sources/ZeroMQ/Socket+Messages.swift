import CZeroMQ

extension Socket {
    /// Sends all frames as one multipart message.
    ///
    /// Returns `false`, sending nothing, when the message would block: with `dontWait`, or
    /// when the send timeout (``SocketOption/sendTimeout(milliseconds:)``) is reached.
    /// An empty list of frames is `EINVAL`: a message has at least one frame.
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try openHandle("send")
        guard !frames.isEmpty else { throw ZMQError(operation: "send", code: EINVAL) }
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < last ? ZMQ_SNDMORE : 0
            // Only the first frame may block: libzmq accepts the rest of a started message.
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                // zmq_send copies the bytes into a message it owns (zmq_msg_init_size + memcpy).
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZMQError.last("send(frame \(index) of \(frames.count))")
                if error.code == EINTR { continue }
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message, with its `User-Id` and `Peer-Address` metadata.
    ///
    /// Returns `nil` when no message is available: with `dontWait`, or when the receive
    /// timeout (``SocketOption/receiveTimeout(milliseconds:)``) is reached.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> Multipart? {
        let handle = try openHandle("receive")
        var message = Multipart(frames: [])
        var more = true
        while more {
            // Frames after the first are already queued, so only the first may wait.
            let flags: Int32 = message.frames.isEmpty && dontWait ? ZMQ_DONTWAIT : 0
            zmq_msg_init(scratch)
            defer { zmq_msg_close(scratch) }
            while zmq_msg_recv(scratch, handle, flags) < 0 {
                let error = ZMQError.last("receive(frame \(message.frames.count))")
                if error.code == EINTR { continue }
                if error.isWouldBlock && message.frames.isEmpty { return nil }
                throw error
            }
            // Metadata lives on the frames that came from the peer: read it before the frame is
            // closed. A ROUTER's first frame is the routing id it made itself, without metadata.
            if message.frames.isEmpty || (message.frames.count == 1 && type == .router && message.userID == nil) {
                message.userID = metadata("User-Id")
                message.peerAddress = metadata("Peer-Address")
            }
            let size = zmq_msg_size(scratch)
            message.frames.append(
                size == 0 ? [] : Array(UnsafeRawBufferPointer(start: zmq_msg_data(scratch), count: size))
            )
            more = zmq_msg_more(scratch) != 0
        }
        return message
    }

    private func metadata(_ property: String) -> String? {
        guard let value = zmq_msg_gets(scratch, property) else { return nil }
        return String(cString: value)
    }
}

extension Socket {
    /// Receives one whole multipart message into `message`, replacing what it held, without
    /// copying its frames. Keeps at most `frameLimit` frames (the rest is read and released
    /// at once) and returns how many the message really had, or `nil` when no message is
    /// available (with `dontWait`, or at the receive timeout).
    public func receive(into message: ForwardedMessage, dontWait: Bool = false, frameLimit: Int = .max) throws(ZMQError) -> Int? {
        let handle = try openHandle("receive")
        message.removeAll()
        var received = 0
        var more = true
        while more {
            let flags: Int32 = received == 0 && dontWait ? ZMQ_DONTWAIT : 0
            let keep = received < frameLimit
            let slot = keep ? message.nextSlot() : scratch
            if !keep { zmq_msg_init(slot) }
            while zmq_msg_recv(slot, handle, flags) < 0 {
                let error = ZMQError.last("receive(frame \(received))")
                if error.code == EINTR { continue }
                zmq_msg_close(slot)
                if error.isWouldBlock && received == 0 { return nil }
                throw error
            }
            more = zmq_msg_more(slot) != 0
            if keep {
                message.keepSlot()
            } else {
                zmq_msg_close(slot)
            }
            received += 1
        }
        return received
    }

    /// Sends the frames of `message` (moved, not copied), then `extra` as a last frame, as one
    /// multipart message. On success `message` is left empty.
    ///
    /// Returns `false`, sending nothing, when the message would block (with `dontWait` or at
    /// the send timeout); `message` then still holds its frames.
    @discardableResult
    public func send(_ message: ForwardedMessage, appending extra: [UInt8]? = nil, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try openHandle("send")
        let total = message.count + (extra == nil ? 0 : 1)
        guard total > 0 else { throw ZMQError(operation: "send", code: EINVAL) }
        var sent = 0
        while sent < message.count {
            var flags: Int32 = sent < total - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            if zmq_msg_send(message.slot(sent), handle, flags) >= 0 {
                sent += 1
                continue
            }
            let error = ZMQError.last("send(frame \(sent) of \(total))")
            if error.code == EINTR { continue }
            if error.isWouldBlock && sent == 0 { return false }
            message.dropMoved(sent)
            throw error
        }
        message.dropMoved(sent)
        if let extra {
            // Only the first frame may block: libzmq accepts the rest of a started message.
            let flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            while extra.withUnsafeBytes({ zmq_send(handle, $0.baseAddress, $0.count, flags) }) < 0 {
                let error = ZMQError.last("send(frame \(total - 1) of \(total))")
                if error.code == EINTR { continue }
                throw error
            }
        }
        return true
    }
}
