@ancs
Feature: Existing notifications, reconnection and security
  Every ANCS subscription replays the phone's existing notifications. The
  PC shows them once, keeps them across a reconnect without duplicates or
  stale entries, and reads nothing until it is paired and allowed.

  @ANCS/NC/SES/BV-01 @cap:notifications.existing-on-connect
  Scenario: Notifications that were on the phone before the PC connected appear after connect
    Given the phone shows 3 notifications from "com.apple.MobileSMS"
    And the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    When the PC connects to the phone
    Then within 3 s of link time the PC shows 3 notifications
    And all of them are marked as pre-existing

  @ANCS/NC/SES/BV-02 @cap:notifications.reconnect
  Scenario: After the phone goes out of range and comes back, the PC shows the same notifications once
    Given the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    And the phone shows 3 notifications from "com.apple.MobileSMS"
    And the PC is connected to the phone
    And within 3 s of link time the PC shows 3 notifications
    When the phone goes out of range for 5 s
    And while it is away the user clears 1 notification on the phone
    And while it is away the phone shows a notification from "com.apple.mobilemail" titled "Bob" saying "Back soon"
    Then within 30 s of link time the PC is connected to the phone again
    And within 5 s of link time the PC shows 3 notifications
    And the PC shows no notification twice
    And the notifications the PC kept have the same PC ids as before
    And the PC reconnected within the backoff bounds

  @ANCS/NC/SES/BV-03 @cap:notifications.reconnect
  Scenario: Notification UIDs from an earlier session are never reused by the PC
    Given the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    And the phone shows a notification from "com.apple.MobileSMS" titled "Alice" saying "Hi" with a "Clear" action
    And the PC is connected to the phone
    And within 2 s of link time the PC shows 1 notification
    When the link drops
    And within 30 s of link time the PC is connected to the phone again
    And within 3 s of link time the PC shows 1 notification
    And the user dismisses that notification on the PC
    Then within 1 s of link time the phone no longer shows that notification

  @ANCS/NC/SES/BV-04 @cap:notifications.service-changed
  Scenario: When iOS withdraws the notification service and publishes it again, the PC shows the same notifications once
    Given the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    And the phone shows 2 notifications from "com.apple.MobileSMS"
    And the PC is connected to the phone
    And within 3 s of link time the PC shows 2 notifications
    When the phone withdraws the notification service
    Then within 2 s of link time the PC reports notifications as unavailable
    When the phone publishes the notification service again
    Then within 5 s of link time the PC shows 2 notifications
    And the PC shows no notification twice
    And the notifications the PC kept have the same PC ids as before

  @ANCS/NC/SEC/BI-01 @cap:notifications.pairing-required
  Scenario: A PC that is not paired reads nothing
    Given the phone shows 2 notifications from "com.apple.MobileSMS"
    And the user allows "Share System Notifications" for the PC
    And the phone refuses pairing
    When the PC connects to the phone without pairing
    Then the phone answers "Insufficient Authentication"
    And after 5 s of link time the PC shows 0 notifications

  @ANCS/NC/PRM/BV-01 @cap:notifications.permission @phone:iphone
  Scenario: Nothing arrives until "Share System Notifications" is allowed, then everything does
    Given the phone shows 2 notifications from "com.apple.MobileSMS"
    And the PC is paired with the phone
    And the PC is connected to the phone
    When the phone shows a notification from "com.apple.mobilemail" titled "Bob" saying "Hello"
    Then after 5 s of link time the PC shows 0 notifications
    When the user allows "Share System Notifications" for the PC
    Then within 3 s of link time the PC shows 3 notifications
