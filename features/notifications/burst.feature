@ancs
Feature: Notification throughput over the iPhone's link
  Each notification costs the PC one Control Point round trip and a Data
  Source reply, one request at a time. The link model turns that into a
  predicted delivery time; the PC must keep within it.

  @ANCS/NC/PRF/BV-01 @cap:notifications.burst-timing
  Scenario: A burst of 200 notifications arrives within the time the link model predicts
    Given the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    And the PC is connected to the phone
    When the phone shows 200 notifications from "com.apple.MobileSMS" at once
    Then all 200 appear on the PC within the time the link model predicts
