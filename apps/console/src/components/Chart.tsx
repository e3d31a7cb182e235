// A small echarts wrapper: only the charts and components the console draws are registered
// (bar and line charts; grid, legend, tooltip; canvas renderer)
// (echarts/core keeps the bundle small), the chart follows its container's size, and screen
// readers get the figure's label plus the same numbers as a visually hidden table.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export interface ChartTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface ChartClick {
  name: string;
  dataIndex: number;
  seriesName?: string;
}

interface Props {
  option: ChartOption;
  /** What the chart shows, read by screen readers (role="img"). */
  label: string;
  /** The chart's numbers as a table for screen readers (visually hidden). */
  table?: ChartTable;
  height?: number;
  onClick?: (event: ChartClick) => void;
  className?: string;
}

const BASE: ChartOption = {
  textStyle: { fontFamily: 'inherit', color: '#1f2933' },
  animationDuration: 300,
};

export default function Chart({ option, label, table, height = 280, onClick, className }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (p) => {
      const params = p as { name?: string; dataIndex?: number; seriesName?: string };
      clickRef.current?.({
        name: params.name ?? '',
        dataIndex: params.dataIndex ?? -1,
        seriesName: params.seriesName,
      });
    });
    const observer =
      typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ ...BASE, ...option }, { notMerge: true });
  }, [option]);

  return (
    <figure className={`chart ${className ?? ''}`}>
      <div
        ref={ref}
        role="img"
        aria-label={label}
        style={{ height, width: '100%', cursor: onClick ? 'pointer' : undefined }}
      />
      {table && (
        <table className="visually-hidden">
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) =>
                  j === 0 ? (
                    <th key={j} scope="row">
                      {cell}
                    </th>
                  ) : (
                    <td key={j}>{cell}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
