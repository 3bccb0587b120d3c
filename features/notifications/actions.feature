@ancs
Feature: Dismissing notifications from the PC
  Phone Link shows notifications to view and dismiss. Dismissing on the PC
  performs the notification's negative action on the phone; a notification
  that offers none can only be viewed, and the PC says so.

  Background:
    Given the PC is paired with the phone
    And the user allows "Share System Notifications" for the PC
    And the PC is connected to the phone

  @ANCS/NC/ACT/BV-01 @cap:notifications.dismiss-from-pc
  Scenario: Dismissing on the PC clears the notification on the phone
    Given the phone shows a notification from "com.apple.MobileSMS" titled "Alice" saying "Lunch at 12?" with a "Clear" action
    And within 2 s of link time the PC shows 1 notification
    When the user dismisses that notification on the PC
    Then within 1 s of link time the phone no longer shows that notification
    And within 1 s of link time the PC shows 0 notifications

  @ANCS/NC/ACT/BI-01 @cap:notifications.not-dismissible
  Scenario: A notification without a negative action cannot be dismissed, and the PC says why
    Given the phone shows a notification from "com.apple.mobilephone" titled "Missed call" saying "Alice" without actions
    And within 2 s of link time the PC shows 1 notification
    When the user tries to dismiss that notification on the PC
    Then the PC refuses with a reason that mentions "open it on the phone"
    And the phone still shows that notification

  @ANCS/NC/ACT/BI-02 @cap:notifications.reply @limitation
  Scenario: The PC cannot reply to a notification
    Given the phone shows a notification from "com.whatsapp.WhatsApp" titled "Dana" saying "Are you coming?" with a "Clear" action
    And within 2 s of link time the PC shows 1 notification
    When the user tries to reply "Yes" to that notification on the PC
    Then the PC refuses with a reason that mentions "reply"
    And the limitation "notifications can be viewed and dismissed, not answered" holds as documented
