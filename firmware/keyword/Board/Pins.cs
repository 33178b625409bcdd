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
        /// <summary>Status LED (the DevKit's blue LED on GPIO2): refusal codes at boot.</summary>
        public const int StatusLed = 2;
        /// <summary>UART2 TX: the serial lines (words, status) at 115200 8N1, to a USB-serial adapter's RX.</summary>
        public const int SerialTx = 17;
        /// <summary>UART2 RX (unused, but the port needs one).</summary>
        public const int SerialRx = 16;
    }
}
