// datalogd logging board: sends its readings to a datalogd SerialDataSource over USB serial.
//
// Protocol (docs/serial-protocol.md): 115200 baud, one JSON object per line, ended with CR LF
// (Serial.println). Every line carries "board", "timestamp" (millis() as text) and "message".
//   {"board":"A","timestamp":"5012","message":"measurement","data":[
//     {"type":"analog","source":"A","id":"A_0","value":"512"}, ...]}
//   {"board":"A","timestamp":"6012","message":"keepalive"}
// All values are sent as text; the host decodes them ("20.25" becomes the number 20.25).
// Keep-alives make sure the host's probe always sees a line within its 2 s timeout.
//
// Needs the "OneWire" and "DallasTemperature" libraries when USE_DS18B20_TEMPERATURE is true
// (Arduino IDE: Tools > Manage Libraries).

// ---- Configuration ------------------------------------------------------------------------

// Tells boards apart: SerialDataSource's board_id option selects on it.
#define BOARD_ID_STRING "A"

// Milliseconds between sensor readings, and between keep-alives while nothing else is sent.
#define READ_INTERVAL 2000
#define KEEPALIVE_INTERVAL 1000

// Digital inputs (pins 4, 5 and 6): "digital" records, value "0" or "1", id "<board>_<pin>".
#define USE_DIGITAL_PINS true
const uint8_t DIGITAL_PINS[] = {4, 5, 6};

// Analog inputs (A0 to A5): "analog" records, value 0 to 1023, id "<board>_<n>" for An.
#define USE_ANALOG_PINS true
const uint8_t ANALOG_PINS[] = {A0, A1, A2, A3, A4, A5};

// DS18B20 thermometers on a 1-Wire bus on pin 12: "temperature" records in C, id
// "<board>_<n>" in bus order, plus "address" with the sensor's 64-bit ROM code.
#define USE_DS18B20_TEMPERATURE true
#define ONE_WIRE_PIN 12
#define DS18B20_MAX_SENSORS 8

// ---- End of configuration -----------------------------------------------------------------

#if USE_DS18B20_TEMPERATURE
#include <OneWire.h>
#include <DallasTemperature.h>

OneWire oneWire(ONE_WIRE_PIN);
DallasTemperature thermometers(&oneWire);
DeviceAddress thermometerAddress[DS18B20_MAX_SENSORS];
uint8_t thermometerCount = 0;
// Conversions run while the sketch does other things; results are read one interval later.
bool conversionPending = false;
#endif

// Declared here so that the sketch also builds outside the Arduino IDE (PlatformIO).
void sendHeader(unsigned long now, const char *message);
void beginRecord(const __FlashStringHelper *type, unsigned int idNumber);
void sendMeasurement(unsigned long now);

unsigned long lastRead = 0;
unsigned long lastSend = 0;
// Separates the records of one measurement message.
bool firstRecord = true;

void setup() {
  Serial.begin(115200);
#if USE_DIGITAL_PINS
  for (uint8_t i = 0; i < sizeof(DIGITAL_PINS); i++) pinMode(DIGITAL_PINS[i], INPUT_PULLUP);
#endif
#if USE_DS18B20_TEMPERATURE
  thermometers.begin();
  thermometers.setWaitForConversion(false);
  uint8_t found = thermometers.getDeviceCount();
  for (uint8_t i = 0; i < found && thermometerCount < DS18B20_MAX_SENSORS; i++) {
    if (thermometers.getAddress(thermometerAddress[thermometerCount], i)) thermometerCount++;
  }
  if (thermometerCount > 0) {
    thermometers.requestTemperatures();
    conversionPending = true;
  }
#endif
}

void loop() {
  unsigned long now = millis();
  if (now - lastRead >= READ_INTERVAL) {
    lastRead = now;
    sendMeasurement(now);
    lastSend = now;
  } else if (now - lastSend >= KEEPALIVE_INTERVAL) {
    sendHeader(now, "keepalive");
    Serial.println("}");
    lastSend = now;
  }
}

// Starts a line: {"board":"A","timestamp":"1234","message":"<kind>"  (no closing brace).
void sendHeader(unsigned long now, const char *message) {
  Serial.print(F("{\"board\":\"" BOARD_ID_STRING "\",\"timestamp\":\""));
  Serial.print(now);
  Serial.print(F("\",\"message\":\""));
  Serial.print(message);
  Serial.print('"');
}

// Starts one record of a measurement's data list, up to the opening quote of its value.
void beginRecord(const __FlashStringHelper *type, unsigned int idNumber) {
  if (!firstRecord) Serial.print(',');
  firstRecord = false;
  Serial.print(F("{\"type\":\""));
  Serial.print(type);
  Serial.print(F("\",\"source\":\"" BOARD_ID_STRING "\",\"id\":\"" BOARD_ID_STRING "_"));
  Serial.print(idNumber);
  Serial.print(F("\",\"value\":\""));
}

void sendMeasurement(unsigned long now) {
  sendHeader(now, "measurement");
  Serial.print(F(",\"data\":["));
  firstRecord = true;

#if USE_ANALOG_PINS
  for (uint8_t i = 0; i < sizeof(ANALOG_PINS); i++) {
    beginRecord(F("analog"), i);
    Serial.print(analogRead(ANALOG_PINS[i]));
    Serial.print(F("\"}"));
  }
#endif

#if USE_DIGITAL_PINS
  for (uint8_t i = 0; i < sizeof(DIGITAL_PINS); i++) {
    beginRecord(F("digital"), DIGITAL_PINS[i]);
    Serial.print(digitalRead(DIGITAL_PINS[i]) == HIGH ? 1 : 0);
    Serial.print(F("\"}"));
  }
#endif

#if USE_DS18B20_TEMPERATURE
  if (conversionPending) {
    for (uint8_t i = 0; i < thermometerCount; i++) {
      float celsius = thermometers.getTempC(thermometerAddress[i]);
      // A sensor that stopped answering is left out rather than reported as -127 C.
      if (celsius == DEVICE_DISCONNECTED_C) continue;
      beginRecord(F("temperature"), i);
      Serial.print(celsius, 2);
      Serial.print(F("\",\"units\":\"C\",\"address\":\""));
      for (uint8_t b = 0; b < 8; b++) {
        if (thermometerAddress[i][b] < 16) Serial.print('0');
        Serial.print(thermometerAddress[i][b], HEX);
      }
      Serial.print(F("\"}"));
    }
  }
  if (thermometerCount > 0) {
    thermometers.requestTemperatures();
    conversionPending = true;
  }
#endif

  Serial.println(F("]}"));
}
