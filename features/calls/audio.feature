@hfp @transport:memory @cap:calls.audio
Feature: Call audio over SCO between the phone and the PC
  Once the codec is agreed the phone opens the synchronous voice link to the
  PC: transparent air mode carrying mSBC when both sides have wideband
  speech, CVSD otherwise. Voice crosses it both ways at the right pitch,
  cleanly, and as late as the link model says and no later.

  @HFP/HF/ACS/BV-01 @HFP/HF/WBS/BV-02
  Scenario: Wideband speech: both sides have mSBC, so an answered call's audio is mSBC in transparent mode
    Given the PC is connected to the phone for calls
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    Then within 1 s of link time call audio is open on both sides in transparent air mode with mSBC
    When the user hangs up on the PC
    Then within 2 s of link time call audio is closed on both sides

  @HFP/HF/ACC/BV-05
  Scenario: Narrowband speech: a PC that offers only CVSD gets CVSD audio
    Given the PC's hands-free unit offers only CVSD
    And the PC is connected to the phone for calls
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time the call is active on the phone and on the PC
    Then within 1 s of link time call audio is open on both sides in cvsd air mode with CVSD

  @HFP/HF/ACC/BV-03 @HFP/HF/WBS/BV-02
  Scenario Outline: A 1 kHz tone crosses the <codec> link both ways at the predicted latency
    Given <setup>
    And the PC is connected to the phone for calls
    When "+44 7700 900 555" calls the phone
    And within 2 s of link time the PC shows an incoming call from "+44 7700 900 555"
    And the user answers on the PC
    And within 2 s of link time call audio is open on both sides in <mode> air mode with <codec>
    And the phone and the PC each play a 1 kHz tone for 1 s
    Then the PC hears the phone's tone at 1000 Hz within 2 Hz, with an SNR above <snr> dB, at the predicted latency
    And the phone hears the PC's tone at 1000 Hz within 2 Hz, with an SNR above <snr> dB, at the predicted latency
    And no voice frame was lost either way

    Examples:
      | codec | mode        | setup                                         | snr |
      | mSBC  | transparent | the PC's hands-free unit offers CVSD and mSBC | 60  |
      | CVSD  | cvsd        | the PC's hands-free unit offers only CVSD     | 30  |
