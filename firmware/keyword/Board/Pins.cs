namespace SkipRnn.Keyword.Board
{
    /// <summary>The wiring of the keyword board (ESP32 DevKit v1 / DevKitC + INMP441, README.md). Change here if your board differs.</summary>
    public static class Pins
    {
        /// <summary>I2S1 bit clock to the INMP441's SCK.</summary>
        public const int BitClock = 14;
        /// <summary>I2S1 word select to the INMP441's WS.</summary>
        public const int WordSelect = 15;
        /// <summary>I2S1 data in from the INMP441's SD.</summary>
        public const int DataIn = 32;
        /// <summary>Event output: a short high pulse per word (to a logic analyser, another MCU or an LED + 330 Ω).</summary>
        public const int EventOut = 25;
        /// <summary>
        /// Status LED: refusal codes at boot. DOIT ESP32 DevKit v1 boards have a blue LED on GPIO2; Espressif's
        /// ESP32-DevKitC has only a power LED: wire an LED + 330 Ω from GPIO2 to GND (GPIO2 is a strapping pin: keep it
        /// free of pull-ups).
        /// </summary>
        public const int StatusLed = 2;
        /// <summary>
        /// COM2 (nanoFramework's name for the ESP32's UART1) TX: the serial lines (words, status) at 115200 8N1, to a
        /// USB-serial adapter's RX. Not GPIO16/17: on the WROVER modules this app needs they are PSRAM's chip select and clock.
        /// </summary>
        public const int SerialTx = 27;
        /// <summary>COM2 RX (unused, but the port needs one).</summary>
        public const int SerialRx = 26;
    }
}
