@ancs
Feature: Notifications from the phone appear on the PC
  The PC mirrors the iPhone's notification list over Apple ANCS: each new
  notification shows with its app's name, its title, its message and the
  time the phone gave it, and changes on the phone show on the PC.

  Background:
    Given the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    And the PC is connected to the phone

  @ANCS/NC/NTF/BV-01 @cap:notifications.new
  Scenario: A new text message notification appears with app, title, message and date
    When the phone shows a notification from "com.apple.MobileSMS" titled "Alice" saying "Lunch at 12?" at "2026-01-05T09:14:00Z"
    Then within 2 s of link time the PC shows a notification from "Messages" titled "Alice" saying "Lunch at 12?"
    And that notification on the PC is dated "2026-01-05T09:14:00Z"
    And that notification on the PC is in the "Social" category

  @ANCS/NC/NTF/BV-02 @cap:notifications.new
  Scenario: Notifications from several apps are grouped by app on the PC
    When the phone shows a notification from "com.apple.MobileSMS" titled "Alice" saying "On my way"
    And the phone shows a notification from "com.apple.mobilemail" titled "Bob" saying "Quarterly figures"
    And the phone shows a notification from "com.apple.MobileSMS" titled "Carol" saying "See you"
    Then within 3 s of link time the PC shows 3 notifications
    And the PC groups them as 2 from "Messages" and 1 from "Mail"

  @ANCS/NC/NTF/BV-03 @cap:notifications.new
  Scenario: A long message is fetched whole across several Data Source fragments
    When the phone shows a notification from "com.apple.mobilemail" titled "Newsletter" with a message of 400 characters
    Then within 3 s of link time the PC shows that notification with the whole 400-character message
    And the phone sent that reply in Data Source notifications of at most MTU-3 bytes, as many as it needs

  @ANCS/NC/MOD/BV-01 @cap:notifications.modified
  Scenario: A notification changed on the phone is updated on the PC
    Given the phone shows a notification from "com.apple.mobilemail" titled "Bob" saying "Loading…"
    And within 2 s of link time the PC shows a notification from "Mail" titled "Bob" saying "Loading…"
    When the phone changes that notification's message to "Quarterly figures attached"
    Then within 2 s of link time the PC shows a notification from "Mail" titled "Bob" saying "Quarterly figures attached"
    And the PC shows 1 notification

  @ANCS/NC/REM/BV-01 @cap:notifications.removed-on-phone
  Scenario: A notification cleared on the phone disappears from the PC
    Given the phone shows a notification from "com.apple.MobileSMS" titled "Alice" saying "Lunch at 12?"
    And within 2 s of link time the PC shows 1 notification
    When the user clears that notification on the phone
    Then within 1 s of link time the PC shows 0 notifications
