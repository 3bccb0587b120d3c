@map @transport:memory
Feature: Text messages on the PC
  The PC receives new text messages from the phone over MAP and replies to
  them, as Phone Link does. The iPhone shows only messages that arrive while
  the PC is connected, flattens group conversations, keeps pictures to
  itself and takes one text to one person at a time; the android stand-in
  does all of these, so the report can tell a documented limit from a bug.
  Phone Link itself sends no pictures and no group messages on any phone.

  Background:
    Given the phone's address book holds the 10-contact fixture
    And the PC is paired with the phone
    And the user allows "Sync Contacts" for the PC
    And the user allows "Show Message Notifications" for the PC
    And the PC is connected to the phone's messages
    And the PC syncs the phone's contacts

  @MAP/MCE/MSM/BV-02 @MAP/MCE/MNR/BV-02 @MAP/MCE/MMN/BV-01 @cap:messages.receive
  Scenario: A text from a contact arrives on the PC with the contact's name
    When contact 3 sends the text "Running late, start without me"
    Then within 5 s of link time the PC shows 1 message from contact 3 saying "Running late, start without me"
    And the message thread is named after contact 3

  @MAP/MCE/MMN/BV-01 @MAP/MCE/MMB/BV-21 @cap:messages.receive
  Scenario: An iMessage and a text from the same person land in one thread
    When contact 4 sends the iMessage "Are you coming tonight?"
    And contact 4 sends the text "Reply when you can" from the other form of the number
    Then within 5 s of link time the PC shows 2 messages from contact 4 in one thread
    And the PC shows both as the same kind of message

  @MAP/MCE/MMU/BV-01 @cap:messages.reply
  Scenario: The user replies to a message from the PC
    When contact 3 sends the text "Call me?"
    And within 5 s of link time the PC shows 1 message from contact 3 saying "Call me?"
    And the user replies "In five minutes" to contact 3's thread on the PC
    Then within 5 s of link time the phone has sent "In five minutes" to contact 3
    And the PC shows "In five minutes" in contact 3's thread as sent

  @MAP/MCE/MMU/BV-01 @cap:messages.compose
  Scenario: The user writes a new message to a contact by name
    When the user sends "Happy birthday!" to contact 5 by name on the PC
    Then within 5 s of link time the phone has sent "Happy birthday!" to contact 5

  @MAP/MCE/MMB/BV-07 @cap:messages.mark-read
  Scenario: Reading a message on the PC marks it read on the phone
    When contact 3 sends the text "Did you see the photos?"
    And within 5 s of link time the PC shows 1 message from contact 3 saying "Did you see the photos?"
    And the user reads that message on the PC
    Then within 5 s of link time that message is read on the phone

  @MAP/MCE/MSM/BV-04 @MAP/MCE/MMB/BV-03 @cap:messages.history
  Scenario: Messages that arrived while the PC was away, as the phone allows
    When contact 3 sends the text "Before the gap"
    And within 5 s of link time the PC shows 1 message from contact 3 saying "Before the gap"
    And the phone goes out of range for 60 s
    And within 30 s of link time the PC has lost the phone's messages
    And contact 6 sends the text "While you were away"
    Then after the PC reconnects, messages that arrived while it was away are shown as the phone's profile predicts
    And the PC shows "Before the gap" once

  @MAP/MCE/MMN/BV-01 @MAP/MCE/MMB/BV-03 @cap:messages.group
  Scenario: A group message is never shown as a conversation it is not
    When contact 3 sends "Dinner at 8?" to a group with contacts 4 and 5
    Then within 5 s of link time the group message is shown as the phone's profile predicts

  @MAP/MCE/MMB/BV-17 @cap:messages.mms
  Scenario: A picture message
    When contact 3 sends a picture with the caption "Look at this view"
    Then after 5 s of link time the picture message is shown as the phone's profile predicts

  @MAP/MCE/MMU/BV-01 @cap:messages.send-limits @limitation
  Scenario: The PC refuses a picture and a message to two people, with a reason
    When the user tries to send a picture to contact 3 on the PC
    And the user tries to send "Both of you?" to contacts 3 and 4 on the PC
    Then both are refused before anything is sent, each with a clear reason

  @MAP/MCE/MSM/BV-01 @cap:messages.single-session
  Scenario: A second PC while the first is connected
    When a second PC tries to open the phone's messages
    Then the second PC is answered as the phone's profile predicts
    And the first PC still receives messages

  @MAP/MCE/MMN/BV-01 @cap:messages.burst
  Scenario: 500 messages in a burst all arrive once
    When 500 messages from contacts 1 to 10 arrive in a burst
    Then within 300 s of link time the PC shows all 500 messages, each once, in the order they arrived
