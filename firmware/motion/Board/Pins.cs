namespace SkipRnn.Motion.Board
{
    /// <summary>The wiring (ESP32 DevKit v1 / DevKitC, ESP32-WROOM-32): change here if your board differs. See README.md.</summary>
    public static class Pins
    {
        /// <summary>I2C1 data to the MPU-6050's SDA.</summary>
        public const int I2cData = 21;
        /// <summary>I2C1 clock to the MPU-6050's SCL.</summary>
        public const int I2cClock = 22;
        /// <summary>Event output: a short high pulse per event (to a logic analyser, another MCU or an LED + 330 Ω).</summary>
        public const int EventOut = 25;
        /// <summary>
        /// Status LED: refusal codes at boot. DOIT ESP32 DevKit v1 boards have a blue LED on GPIO2; Espressif's
        /// ESP32-DevKitC has only a power LED: wire an LED + 330 Ω from GPIO2 to GND (GPIO2 is a strapping pin: keep it
        /// free of pull-ups).
        /// </summary>
        public const int StatusLed = 2;
        /// <summary>
        /// COM2 (nanoFramework's name for the ESP32's UART1) TX: the serial lines (events, status) at 115200 8N1, to a
        /// USB-serial adapter's RX. Not GPIO16/17: on WROVER modules those are PSRAM's chip select and clock.
        /// </summary>
        public const int SerialTx = 27;
        /// <summary>COM2 RX (unused, but the port needs one).</summary>
        public const int SerialRx = 26;
        /// <summary>MPU-6050 I2C address with AD0 low (0x69 with AD0 high).</summary>
        public const int ImuAddress = 0x68;
    }
}
