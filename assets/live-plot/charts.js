// One uPlot chart per panel of the layout, stacked, with linked time axes when the layout
// says xlink, a crosshair and value readout when it says crosshair.

const AXIS = {
  stroke: '#bbb',
  grid: { stroke: '#333', width: 1 },
  ticks: { stroke: '#444', width: 1 },
};

function axisLabel(panel, units) {
  const distinct = [...new Set(panel.traces.map((t) => units[t.index]).filter((u) => u))];
  return distinct.length === 0 ? panel.ylabel : `${panel.ylabel} (${distinct.join(', ')})`;
}

/** The legend's time under the crosshair, to the second, in local time. */
function timeReadout(_u, ms) {
  return ms === null || ms === undefined ? '--' : new Date(ms).toLocaleString();
}

function seriesOf(trace) {
  return {
    label: trace.name,
    stroke: trace.color,
    width: trace.line ? trace.width : 0,
    dash: trace.dash.length > 0 ? trace.dash : undefined,
    spanGaps: true,
    // Undefined keeps uPlot's own rule: points shown where they are sparse (a lone point).
    points: {
      show: trace.points ? true : undefined,
      size: trace.pointSize,
      fill: trace.color,
      stroke: trace.color,
    },
    paths: trace.line ? undefined : () => null,
  };
}

export function chartSizes(layout, container) {
  if (layout.size) {
    const [width, height] = layout.size;
    return { width, height: Math.max(120, Math.floor(height / layout.panels.length)) };
  }
  const width = Math.max(300, container.clientWidth - 8);
  const free = window.innerHeight - container.getBoundingClientRect().top - 16;
  const legend = 40 * layout.panels.length;
  return { width, height: Math.max(150, Math.floor((free - legend) / layout.panels.length)) };
}

/**
 * Builds the charts in `container`. `events` has onZoom() (the user selected a range) and
 * onDraw(chart); returns the uPlot instances, in panel order.
 */
export function buildCharts(layout, units, container, events) {
  container.replaceChildren();
  const { width, height } = chartSizes(layout, container);
  const charts = [];
  let syncing = false;
  for (const panel of layout.panels) {
    const el = document.createElement('section');
    el.className = 'panel';
    container.append(el);
    const options = {
      width,
      height,
      ms: 1,
      pxAlign: false,
      legend: { live: layout.crosshair },
      cursor: {
        x: layout.crosshair,
        y: layout.crosshair,
        drag: { x: true, y: false, setScale: true },
        sync: layout.xlink ? { key: `datalogd-${layout.node}`, setSeries: false } : undefined,
      },
      scales: { x: { time: true } },
      axes: [{ ...AXIS }, { ...AXIS, label: axisLabel(panel, units), size: 60 }],
      series: [{ label: 'Time', value: timeReadout }, ...panel.traces.map(seriesOf)],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 0) events.onZoom();
          },
        ],
        setScale: [
          (u, key) => {
            if (!layout.xlink || key !== 'x' || syncing) return;
            syncing = true;
            const { min, max } = u.scales.x;
            for (const other of charts) {
              if (other !== u && (other.scales.x.min !== min || other.scales.x.max !== max)) {
                other.setScale('x', { min, max });
              }
            }
            syncing = false;
          },
        ],
        draw: [(u) => events.onDraw(u)],
      },
    };
    const empty = [[], ...panel.traces.map(() => [])];
    charts.push(new window.uPlot(options, empty, el));
  }
  return charts;
}

export function resizeCharts(layout, charts, container) {
  const size = chartSizes(layout, container);
  for (const chart of charts) chart.setSize(size);
}
