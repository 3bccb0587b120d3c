@pbap @transport:memory
Feature: The phone's contacts and call history on the PC
  The PC copies the iPhone's address book and call history over PBAP, as
  Phone Link does, once the user enables "Sync Contacts" for it. Numbers
  match in national and international form, so the PC can name a caller.

  @PBAP/PCE/SSM/BV-01 @PBAP/PCE/PBD/BV-01 @cap:contacts.pull
  Scenario: The PC copies the whole address book
    Given the phone's address book holds the 10-contact fixture
    And the user allows "Sync Contacts" for the PC
    When the PC syncs the phone's contacts
    Then the PC has 11 contacts, the owner card included
    And every contact on the PC has the name and numbers it has on the phone

  @PBAP/PCE/PBB/BV-02 @PBAP/PCE/PBB/BV-05 @cap:contacts.listing
  Scenario: The PC lists the address book and reads a single entry
    Given the phone's address book holds the 10-contact fixture
    And the user allows "Sync Contacts" for the PC
    When the PC lists the phone's contacts
    Then the listing has 11 entries in the phone's order
    And the PC reads entry 3 with the name and numbers the phone has for it

  @PBAP/PCE/PBB/BV-03 @cap:contacts.caller-id
  Scenario: A caller is named from a number written the other way
    Given the phone's address book holds the 1000-contact fixture
    And the user allows "Sync Contacts" for the PC
    When the PC syncs the phone's contacts
    Then a call from contact 42's mobile number in the other form is named after contact 42
    And a number the phone does not know is not named

  @PBAP/PCE/PBD/BV-04 @cap:contacts.call-history
  Scenario: The call history arrives by kind, with times and the count of new missed calls
    Given the phone's address book holds the 10-contact fixture
    And the phone's call history holds 3 missed, 4 received and 2 dialled calls
    And the user allows "Sync Contacts" for the PC
    When the PC reads the phone's call history
    Then the PC shows 3 missed, 4 received and 2 dialled calls, newest first, with their times
    And the PC shows 3 new missed calls

  @PBAP/PCE/SSM/BI-01 @cap:contacts.permission @limitation @phone:iphone
  Scenario: Nothing is copied until "Sync Contacts" is enabled, then everything is
    Given the phone's address book holds the 10-contact fixture
    When the PC syncs the phone's contacts
    Then the PC is told to enable "Sync Contacts" on the phone
    And the PC has 0 contacts
    When the user allows "Sync Contacts" for the PC
    And the PC syncs the phone's contacts
    Then the PC has 11 contacts, the owner card included

  @PBAP/PCE/SGSIT/BI-01 @cap:contacts.class-of-device @limitation @phone:iphone
  Scenario: A PC that is not a hands-free device gets nothing
    Given the PC's Class of Device is a laptop
    And the phone's address book holds the 10-contact fixture
    And the user allows "Sync Contacts" for the PC
    When the PC syncs the phone's contacts
    Then the PC is told the phone offers contacts only to hands-free devices
    And the PC has 0 contacts

  @PBAP/PCE/PBD/BV-47 @cap:contacts.large-book
  Scenario: 5,000 contacts with photos arrive within the time the link model predicts, with progress
    Given the phone's address book holds the 5000-contact fixture
    And the user allows "Sync Contacts" for the PC
    When the PC syncs the phone's contacts with photos
    Then the PC has 5001 contacts, the owner card included
    And the photos arrived with the contacts that have them
    And the PC reported progress as the pages arrived
    And the copy took the time the classic link model predicts

  @PBAP/PCE/PBD/BV-02 @cap:contacts.resume
  Scenario: A copy interrupted by a link drop resumes and completes with no duplicates
    Given the phone's address book holds the 1000-contact fixture
    And the user allows "Sync Contacts" for the PC
    When the PC starts syncing the phone's contacts
    And the link drops after 300 contacts have arrived
    Then within 60 s of link time the PC has 1001 contacts, the owner card included
    And no contact appears twice on the PC
    And the copy resumed from the last complete page
