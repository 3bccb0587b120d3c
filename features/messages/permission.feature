@map @transport:memory @phone:iphone
Feature: Message access waits for the user's permission on the iPhone
  iOS answers Forbidden to a PC's message access until the user turns on
  "Show Message Notifications" for it in the Bluetooth settings; the PC
  says so in words the user can act on, and connects once it is on.

  @MAP/MCE/MSM/BV-02 @cap:messages.permission @limitation
  Scenario: Nothing arrives until "Show Message Notifications" is allowed
    Given the phone's address book holds the 10-contact fixture
    And the PC is paired with the phone
    And the PC is connected to the phone
    When contact 3 sends the text "Hello?"
    Then within 10 s of link time the PC says message access needs "Show Message Notifications"
    And the PC shows no messages
    When the user allows "Show Message Notifications" for the PC
    And the PC is connected to the phone's messages
    And contact 3 sends the text "Now?"
    Then within 30 s of link time the PC shows 1 message from contact 3 saying "Now?"
