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
        /// <summary>Status LED (the DevKit's blue LED on GPIO2): refusal codes at boot.</summary>
        public const int StatusLed = 2;
        /// <summary>UART2 TX: the serial lines (events, status) at 115200 8N1, to a USB-serial adapter's RX.</summary>
        public const int SerialTx = 17;
        /// <summary>UART2 RX (unused, but the port needs one).</summary>
        public const int SerialRx = 16;
        /// <summary>MPU-6050 I2C address with AD0 low (0x69 with AD0 high).</summary>
        public const int ImuAddress = 0x68;
    }
}
