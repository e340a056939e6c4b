/** A few line icons (16px, currentColor), drawn inline so nothing is fetched. */
import type { SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement>;

function Icon({ children, ...props }: IconProps & { children: React.ReactNode }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...props}>
      {children}
    </svg>
  );
}

export const InboxIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2 9.5 3.8 3.6A1 1 0 0 1 4.8 3h6.4a1 1 0 0 1 1 .6L14 9.5V12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1Z" />
    <path d="M2 9.5h3.5l1 1.5h3l1-1.5H14" />
  </Icon>
);

export const HistoryIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2.5 8a5.5 5.5 0 1 0 1.6-3.9" />
    <path d="M2.5 2.5v2.5H5" />
    <path d="M8 5v3.2l2 1.3" />
  </Icon>
);

export const ShieldIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 1.8 13 3.6v4c0 3.2-2.1 5.4-5 6.6-2.9-1.2-5-3.4-5-6.6v-4Z" />
    <path d="m5.8 8 1.6 1.6 3-3.2" />
  </Icon>
);

export const ServerIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2" y="2.5" width="12" height="4.5" rx="1" />
    <rect x="2" y="9" width="12" height="4.5" rx="1" />
    <path d="M4.5 4.75h.01M4.5 11.25h.01" strokeWidth="2" />
  </Icon>
);

export const LaptopIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3" y="3" width="10" height="7" rx="1" />
    <path d="M1.5 13h13" />
  </Icon>
);

export const PlugIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 2v3M10 2v3" />
    <path d="M4 5h8v2.5a4 4 0 0 1-8 0Z" />
    <path d="M8 11.5V14" />
  </Icon>
);

export const WarningIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M7.1 2.6a1 1 0 0 1 1.8 0l5.3 9.9a1 1 0 0 1-.9 1.5H2.7a1 1 0 0 1-.9-1.5Z" />
    <path d="M8 6.2v3M8 11.4h.01" />
  </Icon>
);

export const CheckIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="m3.5 8.5 3 3 6-7" />
  </Icon>
);

export const XIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="m4 4 8 8M12 4l-8 8" />
  </Icon>
);

export const ChevronIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="m6 4 4 4-4 4" />
  </Icon>
);

export const DownloadIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 2.5v8M4.8 7.5 8 10.7l3.2-3.2M3 13.5h10" />
  </Icon>
);

export const AirlockMark = (p: IconProps) => (
  <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false" {...p}>
    <rect x="1" y="1" width="18" height="18" rx="5" fill="var(--accent)" />
    <path d="M6 14V9a4 4 0 0 1 8 0v5" stroke="#fff" strokeWidth="1.8" fill="none" strokeLinecap="round" />
    <path d="M6 11.5h8" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
  </svg>
);
