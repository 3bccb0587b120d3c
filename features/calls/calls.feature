@hfp @transport:memory
Feature: Calls through the phone, with the PC as a hands-free unit
  The PC connects to the iPhone's Audio Gateway over HFP, shows who is
  calling with the name from the phone's contacts, and answers, rejects,
  dials, holds, swaps and joins calls. Call state always follows the phone.

  Background:
    Given the phone's address book holds the 10-contact fixture
    And the user allows "Sync Contacts" for the PC
    And the PC is connected to the phone for calls

  @HFP/HF/SLC/BV-01 @HFP/HF/SLC/BV-05 @cap:calls.slc
  Scenario: The service-level connection follows the spec's order and negotiates codecs
    Then the phone received the PC's commands in the order AT+BRSF, AT+BAC, AT+CIND=?, AT+CIND?, AT+CMER, AT+CHLD=?, AT+BIND
    And the PC knows the phone's features and reads indicators by name

  @HFP/HF/CLI/BV-01 @HFP/HF/ICA/BV-04 @cap:calls.incoming
  Scenario: An incoming call shows the caller's name from the contacts and is answered on the PC
    Given the PC has synced the phone's contacts
    When contact 3 calls the phone
    Then within 2 s of link time the PC shows an incoming call from contact 3 by name
    When the user answers on the PC
    Then within 2 s of link time the call is active on the phone and on the PC
    And the codec for the call audio is mSBC

  @HFP/HF/ICR/BV-01 @cap:calls.incoming
  Scenario: Rejecting a call on the PC declines it on the phone and logs it as missed
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user rejects the call on the PC
    Then within 2 s of link time no call is in progress on the phone or on the PC
    And the PC's call history records a missed call from "+44 7700 900 555"
    And the PC's call log shows that missed call at once

  @HFP/HF/TCA/BV-01 @HFP/HF/TCA/BV-02 @cap:calls.hang-up
  Scenario: A call ends when either side hangs up
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    And the user hangs up on the PC
    Then within 2 s of link time no call is in progress on the phone or on the PC
    When "+44 7700 900 556" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 556"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    And the other party hangs up
    Then within 2 s of link time no call is in progress on the phone or on the PC

  @HFP/HF/OCN/BV-01 @HFP/HF/OCM/BV-01 @cap:calls.outgoing
  Scenario: Calling a number and calling a contact by name from the PC
    Given the PC has synced the phone's contacts
    When the user calls "+44 7700 900 777" from the PC
    Then within 2 s of link time the phone is dialling "+44 7700 900 777"
    When the other party answers
    Then within 2 s of link time the call is active on the phone and on the PC
    When the user hangs up on the PC
    And within 2 s of link time no call is in progress on the phone or on the PC
    And the user calls contact 5 by name from the PC
    Then within 2 s of link time the phone is dialling contact 5's first number

  @HFP/HF/OCN/BI-01 @cap:calls.outgoing
  Scenario: A busy line ends the outgoing call on both sides
    When the user calls "+44 7700 900 777" from the PC
    And within 2 s of link time the phone is dialling "+44 7700 900 777"
    And the other party is busy
    Then within 2 s of link time no call is in progress on the phone or on the PC

  @HFP/HF/OCL/BV-01 @cap:calls.outgoing
  Scenario: Redial calls the last number dialled
    When the user calls "+44 7700 900 778" from the PC
    And within 2 s of link time the phone is dialling "+44 7700 900 778"
    And the user hangs up on the PC
    And within 2 s of link time no call is in progress on the phone or on the PC
    And the user redials from the PC
    Then within 2 s of link time the phone is dialling "+44 7700 900 778"

  @HFP/HF/TWC/BV-02 @HFP/HF/TWC/BV-03 @HFP/HF/ECS/BV-01 @cap:calls.multiparty
  Scenario: A waiting call is held and swapped, then the calls are joined
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    And "+44 7700 900 556" calls while the first call is active
    Then within 2 s of link time the PC shows a waiting call from "+44 7700 900 556"
    When the user holds the active call and answers the waiting one on the PC
    Then within 2 s of link time the PC shows "+44 7700 900 556" active and "+44 7700 900 555" held
    When the user swaps the calls on the PC
    Then within 2 s of link time the PC shows "+44 7700 900 555" active and "+44 7700 900 556" held
    When the user joins the calls on the PC
    Then within 2 s of link time both calls are active in one conference on the phone and on the PC

  @HFP/HF/TCA/BV-03 @cap:calls.network-loss
  Scenario: The network drops the call
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    And the phone loses the network
    Then within 2 s of link time no call is in progress on the phone or on the PC

  @HFP/HF/OOR/BV-01 @HFP/HF/OOR/BV-02 @cap:calls.reconnect
  Scenario: After going out of range, the PC reconnects and shows the call still in progress
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    And the phone goes out of range for 25 s
    Then within 60 s of link time the PC is connected to the phone for calls again
    And within 2 s of link time the call is active on the phone and on the PC
