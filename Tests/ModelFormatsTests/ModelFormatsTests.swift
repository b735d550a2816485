import XCTest

@testable import ModelFormats

final class ModelFormatsModuleTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertNotNil(ModelFormats.self as Any)
    }
}
