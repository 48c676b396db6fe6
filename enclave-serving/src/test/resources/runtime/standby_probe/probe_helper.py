NAME = "probe-helper"
