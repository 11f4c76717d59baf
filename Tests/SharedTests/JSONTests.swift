import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderIntegersUnicodeAndEscapes() throws {
        let text = #"{"z":1,"a":9223372036854775807,"m":-9223372036854775808,"u":"héllo ☃ 😀","e":"q\"b\\n\n\t\u0001","f":1.1,"g":2.0,"n":null,"t":true,"l":[1,{"b":2,"a":3}]}"#
        let v = try JSON.parse(text)
        #expect(v.serialized() == text)
        #expect(v["a"] == .int(Int64.max))
        #expect(v["u"]?.stringValue == "héllo ☃ 😀")
        #expect(v.objectValue?.keys == ["z", "a", "m", "u", "e", "f", "g", "n", "t", "l"])
    }

    @Test func streamOfDocuments() throws {
        let text = "{\"a\":1}\n{\"b\":2}\n{\n  \"c\": [\n    3\n  ]\n}{\"d\":4}\n\n"
        let all = try JSON.parseAll(Array(text.utf8))
        #expect(all.map { $0.serialized() } == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":[3]}"#, #"{"d":4}"#])
        #expect(try JSON.parseAll([]).isEmpty)
    }

    @Test func incrementalFeedWaitsForCompleteValues() throws {
        var p = JSONStreamParser(source: "<stdin>")
        p.append(Array("{\"a\":".utf8))
        #expect(try p.next() == nil)
        p.append(Array("1}\n{\"b\"".utf8))
        #expect(try p.next() == ["a": 1])
        #expect(try p.next() == nil)
        p.append(Array(":2}".utf8))
        p.finish()
        #expect(try p.next() == ["b": 2])
        #expect(try p.next() == nil)
    }

    @Test func errorsCarryLineAndColumn() throws {
        let text = "{\"a\":1}\n{\"b\":2}\n{\"c\": tru}\n"
        do {
            _ = try JSON.parseAll(Array(text.utf8), source: "<stdin>")
            Issue.record("expected a parse error")
        } catch let e as JSONParseError {
            #expect(e.line == 3)
            #expect(e.column >= 7 && e.column <= 11)
            #expect(e.description.hasPrefix("<stdin>:3:"))
        }
        do {
            _ = try JSON.parseAll(Array("{\"a\":1}\n{\"b\":".utf8), source: "x")
            Issue.record("expected a parse error")
        } catch let e as JSONParseError {
            #expect(e.line == 2)
            #expect(e.reason.contains("end"))
        }
    }

    @Test func positionsCountWhatAStreamAlreadyDropped() throws {
        // The first value and the line before it are consumed and dropped before the error comes.
        var p = JSONStreamParser(source: "<stdin>")
        p.append(Array("{}\n{\"a\":1} ".utf8))
        #expect(try p.next() == [:])
        #expect(try p.next() == ["a": 1])
        #expect(try p.next() == nil)
        p.append(Array("{\"é\": tru}".utf8))
        p.finish()
        do {
            _ = try p.next()
            Issue.record("expected a parse error")
        } catch let e as JSONParseError {
            #expect(e.line == 2)
            #expect(e.column == 18)  // at the "}" that ends "tru"; "é" counts once
        }
    }

    @Test func duplicateKeysAreRejected() {
        #expect(throws: JSONParseError.self) { try JSON.parse(#"{"a":1,"a":2}"#) }
    }

    @Test func objectEditingKeepsPlaces() {
        var v: JSON = ["a": 1, "b": 2]
        v["a"] = "x"
        v["c"] = true
        v["b"] = nil
        #expect(v.serialized() == #"{"a":"x","c":true}"#)
    }
}
