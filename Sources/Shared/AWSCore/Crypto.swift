import CCrypto

/// SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto.
public enum Crypto {
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        data.withUnsafeBytes { buf in
            _ = EVP_Digest(buf.baseAddress, buf.count, &out, &length, EVP_sha256(), nil)
        }
        return out
    }

    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         d.count, &out, &length)
            }
        }
        return out
    }

    /// Lowercase hex, as SigV4 writes digests and signatures.
    public static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
}
