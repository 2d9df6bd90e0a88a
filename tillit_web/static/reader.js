/* Reader view: bring the cited passage into view and give it focus (also without #hash). */
(function () {
  "use strict";
  var cited = document.getElementById("tillit-cited");
  if (!cited) { return; }
  cited.scrollIntoView({ block: "center" });
  cited.focus({ preventScroll: true });
}());
